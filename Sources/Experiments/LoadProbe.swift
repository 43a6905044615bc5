import Foundation
import Lab
import LoadGen
import SystemKit
import Vocabulary

/// Where the load goes: the VIP (through the director) or one real's own address (the
/// direct path). HTTP loads use the reals' nginx, TCP loads the reals' responder.
public struct LoadEndpoint: Equatable, Sendable {
    public var address: String
    public var httpPort: Int
    public var tcpPort: Int

    public init(address: String, httpPort: Int = 80, tcpPort: Int = 9000) {
        self.address = address
        self.httpPort = httpPort
        self.tcpPort = tcpPort
    }

    public func url(for kind: LoadKind) -> String {
        kind.isHTTP ? "http://\(address):\(httpPort)/" : "tcp://\(address):\(tcpPort)"
    }
}

/// One run of the load generator (`lvsbench load ... --json`) inside the client's node. It
/// runs as a child process of its own (not in this process) so that its threads and
/// sockets live in the client's namespace, and so Ctrl-C can stop it by pid at once.
public struct LoadProbe: Sendable {
    /// The lvsbench binary that provides `load` (this one, when the CLI runs).
    public let executable: String
    /// Polled while the generator runs; when it turns true the generator is stopped at once
    /// (SIGTERM by pid) and `Interrupted` is thrown.
    public let interrupted: @Sendable () -> Bool

    public init(executable: String, interrupted: @escaping @Sendable () -> Bool = { SignalTrap.interrupted }) {
        self.executable = executable
        self.interrupted = interrupted
    }

    /// The generator's argv before wrapping into the client's node. `interval` (the
    /// timeline's) and `timeout` are passed only when given, so other runs keep their argv.
    public static func arguments(executable: String, kind: LoadKind, target: LoadEndpoint, connections: Int,
                                 duration: Double, rate: Double?, interval: Double? = nil,
                                 timeout: Double? = nil) -> [String] {
        var argv = [executable, "load", target.url(for: kind), "-c", String(connections),
                    "-d", Self.seconds(duration)]
        if kind.closesConnections { argv.append("--close") }
        if let rate { argv += ["--rate", Self.number(rate)] }
        if let interval { argv += ["--interval", Self.seconds(interval)] }
        if let timeout { argv += ["--timeout", Self.seconds(timeout)] }
        argv.append("--json")
        return argv
    }

    /// `LoadSource`'s requirement: the generator's default timeline interval and timeout.
    public func run(from client: any LabNode, kind: LoadKind, target: LoadEndpoint, connections: Int, duration: Double,
                    rate: Double?) throws -> LoadReport {
        try run(from: client, kind: kind, target: target, connections: connections, duration: duration, rate: rate,
                interval: nil, timeout: nil)
    }

    public func run(from client: any LabNode, kind: LoadKind, target: LoadEndpoint, connections: Int, duration: Double,
                    rate: Double?, interval: Double? = nil, timeout: Double? = nil) throws -> LoadReport {
        if interrupted() { throw Interrupted() }
        let argv = client.wrap(Self.endingWithParent(Self.arguments(executable: executable, kind: kind, target: target,
                                                                    connections: connections, duration: duration,
                                                                    rate: rate, interval: interval,
                                                                    timeout: timeout)))
        // A generator that hangs (a lab gone wrong) must not hang the run: it gets its
        // duration plus a generous margin for connection timeouts (and a longer --timeout).
        let limit = duration + 30 + (timeout ?? 0)
        let run = try ProcessRunner.supervise(argv, timeout: limit, stopWhen: interrupted)
        if run.stopped || interrupted() { throw Interrupted() }
        let lastLine = run.result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        if run.timedOut {
            throw RuntimeFailure("load generator against \(target.url(for: kind)) did not finish within \(Int(limit)) s")
        }
        guard run.result.succeeded else {
            throw RuntimeFailure("load generator against \(target.url(for: kind)) exited \(run.result.status): \(lastLine)")
        }
        do {
            return try JSONCoding.decode(LoadReport.self, from: Data(run.result.stdout.utf8))
        } catch {
            throw RuntimeFailure("load generator against \(target.url(for: kind)) printed no report JSON (\(error)): \(lastLine)")
        }
    }

    /// Prefixes `setpriv --pdeathsig KILL` (util-linux) where it exists: the kernel then ends
    /// the generator when this process ends, even by SIGKILL, instead of leaving it loading a
    /// lab that `lab down --all` is removing (it is not recognisably the lab's, so teardown
    /// does not stop it). `ip netns exec` and setpriv exec in place, so its parent is us.
    static func endingWithParent(_ argv: [String]) -> [String] {
        ToolLocator.find("setpriv") == nil ? argv : ["setpriv", "--pdeathsig", "KILL"] + argv
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : "\(Int((value * 1000).rounded()))ms"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
