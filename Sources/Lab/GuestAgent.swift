import Foundation
import IPVSControl
import SystemKit

/// The command channel into a UML director: `lvsbench lab agent` runs inside the guest (the
/// guest sees the host's files, so it is this very binary) and executes argv for the host.
/// One request per connection: the lab's secret as a line of hex (`AgentSecret`), then a
/// JSON line; one JSON line back. A read request with `keepOpen` makes the connection a
/// stream of such requests (`AgentStream`, `GuestAgent.Session`: a collection's samples).
///
/// A request either runs argv or, with `read`, reads files inside the agent's own process:
/// every process started in the guest costs tens of milliseconds of its single CPU, which
/// a collector sampling several times a second would take away from the traffic it measures.
/// An agent older than `read` answers such a request with "empty command" (argv is []).
/// A read request may also ask for every IPVS real's counters (`ipvsReals`), which the
/// agent reads over the IPVS generic netlink family, again without starting a process.
///
/// The agent is root in a guest whose root file system is the host's, read-write: whoever
/// gets a request through owns the host. Two independent locks keep it to the lvsbench that
/// owns the lab:
/// - The secret: read from a 0600 file in the lab's 0700 directory, compared in constant
///   time before anything else is parsed; a request without it (any older client) or with
///   a wrong one gets a refusal and nothing done.
/// - The management link: the listening socket is bound to the management address and, with
///   SO_BINDTODEVICE, to the management interface. The guest routes between the lab's nets
///   (NAT reals have it as their default route) and Linux accepts a packet for any local
///   address on any interface, so the address alone would still let a real in; bound to the
///   device, the kernel matches only packets that came in on the management tap (whose other
///   end is in the switch namespace, which only root can enter) and answers all others
///   with a reset. This is chosen over a firewall rule in the guest: it costs the director
///   nothing per packet (a netfilter table would tax every forwarded packet on a one-CPU
///   director whose speed is what is measured), needs no module, and lives and dies with the
///   socket, so no later `nft`/`iptables` command run through the agent can undo it.
public enum GuestAgent {
    struct Request: Codable {
        var argv: [String]
        var timeout: Double?
        /// Paths to read in-process instead of running argv.
        var read: [String]?
        /// With `read`: also every IPVS real's counters, from the IPVS netlink family in
        /// the agent's own process (no ipvsadm).
        var ipvsReals: Bool?
        /// With `ipvsReals`: also the connection table counted by state
        /// (`IPVSConnTable.summaryAWK`'s output) and the timeouts (`ipvsadm -L --timeout`'s
        /// line), both made in the agent's process.
        var ipvsOccasional: Bool?
        /// With `read`: the caller sends further read requests on this connection
        /// (`GuestAgent.Session`); an agent older than this answers once and closes.
        var keepOpen: Bool?
    }

    struct Response: Codable {
        var status: Int32
        var stdout: String
        var stderr: String
        /// For a read request: each path's content or error.
        var files: [String: FileReader.Outcome]?
        /// The request did not carry the lab's secret: nothing was done.
        var refused: Bool?
        /// For `ipvsReals`: the counters keyed `TCP vip:port -> real:port`, or why not.
        var reals: [String: BalancerCounters]?
        /// For `ipvsReals`: each real's ActiveConn and InActConn, keyed as `reals` (which
        /// carries counters only); absent from an older agent.
        var realEntries: [String: ConnectionEntries]?
        var realsError: String?
        var connSummary: String?
        var timeouts: String?
        var occasionalError: String?
        /// The agent reads another request on this connection (it honoured `keepOpen`).
        var keptOpen: Bool?
    }

    /// A real's connection entries in use and waiting to expire.
    struct ConnectionEntries: Codable, Equatable {
        var active: Int
        var inactive: Int
    }

    /// What a `readWithIPVSReals` request returns.
    public struct IPVSRead: Sendable {
        public var files: [String: FileReader.Outcome]
        /// With each real's `activeEntries` and `inactiveEntries` when the agent sent them.
        public var reals: [RealReading]
        /// `IPVSConnTable.summaryAWK`'s output and `ipvsadm -L --timeout`'s line, when asked.
        public var connSummary: String?
        public var timeouts: String?
    }

    /// How long a connection may take to present the secret line.
    static let secretLineTimeout = 10.0

    /// Serves requests that carry `secret`, on `address` and only from interface `device`.
    public static func serve(listen address: String, device: String, secret: AgentSecret) throws -> Never {
        let server = try Socket.listen(address, backlog: 64, device: device)
        while true {
            guard let conn = server.accept() else { continue }
            // Dispatch's pool reuses its threads: a new thread per request cost the one-CPU
            // guest several milliseconds, which at 10 samples a second is the collector's
            // largest cost (Benchmarks/CollectorCost.md).
            DispatchQueue.global().async { handle(conn, secret: secret) }
        }
    }

    static func handle(_ conn: Socket, secret: AgentSecret) {
        var handedOff = false
        defer { if !handedOff { conn.close() } }
        conn.setReceiveTimeout(secretLineTimeout)
        let first = conn.readLine(limit: 2 * AgentSecret.length + 1)
        guard let first, secret.accepts(first) else {
            reply(Response(status: 126, stdout: "", stderr: "agent: refused: the request does not carry this lab's secret\n",
                           refused: true), on: conn)
            return
        }
        conn.setReceiveTimeout(0)
        guard let line = conn.readLine(),
              let request = try? JSONDecoder().decode(Request.self, from: Data(line)) else { return }
        if request.keepOpen == true, request.read != nil {
            handedOff = true
            AgentStream.start(conn, first: request, line: line)
            return
        }
        reply(answer(request), on: conn)
    }

    /// The response to one request; `files` (a stream's open files) reads the paths.
    static func answer(_ request: Request, files kept: KeptFiles? = nil) -> Response {
        let response: Response
        if let paths = request.read {
            var files: [String: FileReader.Outcome] = [:]
            for path in paths { files[path] = kept?.read(path) ?? FileReader.read(path) }
            var r = Response(status: 0, stdout: "", stderr: "", files: files)
            if request.ipvsReals == true {
                do {
                    let reals = try netlink.realCounters()
                    r.reals = reals.keyed
                    r.realEntries = entries(of: reals)
                } catch { r.realsError = "\(error)" }
                if request.ipvsOccasional == true {
                    do {
                        r.connSummary = try summarizeConnTable()
                        r.timeouts = try netlink.timeouts()
                    } catch { r.occasionalError = "\(error)" }
                }
            }
            response = r
        } else if request.argv.isEmpty {
            response = Response(status: 2, stdout: "", stderr: "agent: empty command\n")
        } else {
            do {
                let r = try ProcessRunner.run(request.argv, timeout: request.timeout)
                response = Response(status: r.status, stdout: r.stdout, stderr: r.stderr)
            } catch {
                response = Response(status: 127, stdout: "", stderr: "agent: \(error)\n")
            }
        }
        return response
    }

    /// The entries of the reals whose reading has them, keyed as `RealReading.key`.
    static func entries(of reals: [RealReading]) -> [String: ConnectionEntries] {
        var result: [String: ConnectionEntries] = [:]
        for real in reals {
            if let active = real.activeEntries, let inactive = real.inactiveEntries {
                result[real.key] = ConnectionEntries(active: active, inactive: inactive)
            }
        }
        return result
    }

    /// `reals` with the entries of `entries` filled in.
    static func withEntries(_ reals: [RealReading], _ entries: [String: ConnectionEntries]?) -> [RealReading] {
        reals.map { reading in
            var real = reading
            if let e = entries?[real.key] { (real.activeEntries, real.inactiveEntries) = (e.active, e.inactive) }
            return real
        }
    }

    /// /proc/net/ip_vs_conn counted in chunks: a busy director's table is megabytes.
    static func summarizeConnTable() throws -> String {
        var summarizer = ConnTableSummarizer()
        if let code = FileReader.readChunks("/proc/net/ip_vs_conn", { summarizer.feed($0) }) {
            throw RuntimeFailure("/proc/net/ip_vs_conn: \(String(cString: strerror(code)))")
        }
        return summarizer.finish()
    }

    /// One netlink socket for the agent's life: opening one and looking up the IPVS family
    /// per request doubled what a sample costs the guest.
    static let netlink = SharedNetlink()

    private static func reply(_ response: Response, on conn: Socket) {
        guard var data = try? JSONEncoder().encode(response) else { return }
        data.append(0x0A)
        _ = conn.writeAll([UInt8](data))
    }

    /// Runs argv in the guest whose agent listens at `address`, reached from `namespace`.
    /// `secretFile` is the lab's `AgentSecret` file on the host.
    public static func call(_ argv: [String], address: String, namespace: String, secretFile: String,
                            timeout: Double?, connectTimeout: Double = 5,
                            replyTimeout: Double? = nil) throws -> ProcessResult {
        let r = try exchange(Request(argv: argv, timeout: timeout), what: "`\(argv.joined(separator: " "))`",
                             address: address, namespace: namespace, secretFile: secretFile,
                             connectTimeout: connectTimeout, replyTimeout: replyTimeout ?? timeout.map { $0 + 10 } ?? 0)
        return ProcessResult(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// Reads `paths` inside the guest without starting a process there; each path maps to
    /// its content or its error.
    public static func read(_ paths: [String], address: String, namespace: String, secretFile: String,
                            replyTimeout: Double = 10) throws -> [String: FileReader.Outcome] {
        let r = try exchange(Request(argv: [], timeout: nil, read: paths), what: "reading \(paths.count) files",
                             address: address, namespace: namespace, secretFile: secretFile,
                             connectTimeout: 5, replyTimeout: replyTimeout)
        guard let files = r.files else { throw cannotRead(r, address: address) }
        return files
    }

    /// A response to a read request without files: an agent older than `read`.
    static func cannotRead(_ r: Response, address: String) -> RuntimeFailure {
        RuntimeFailure("the director's agent at \(address) cannot read files (\(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))): "
            + "it is an older lvsbench; recreate the lab with `lvsbench lab down` and `lvsbench lab up`")
    }

    /// `read`, plus every IPVS real's counters read by the agent over netlink: one
    /// request per sample and no process in the guest.
    public static func readWithIPVSReals(_ paths: [String], occasional: Bool = false, address: String, namespace: String,
                                         secretFile: String, replyTimeout: Double = 10) throws -> IPVSRead {
        let r = try exchange(Request(argv: [], timeout: nil, read: paths, ipvsReals: true, ipvsOccasional: occasional),
                             what: ipvsWhat(paths), address: address, namespace: namespace, secretFile: secretFile,
                             connectTimeout: 5, replyTimeout: replyTimeout)
        return try ipvsRead(r, address: address)
    }

    static func ipvsWhat(_ paths: [String]) -> String { "reading \(paths.count) files and IPVS counters" }

    /// The answer to a read request with `ipvsReals`, or why it is not one.
    static func ipvsRead(_ r: Response, address: String) throws -> IPVSRead {
        guard let files = r.files else { throw cannotRead(r, address: address) }
        if let error = r.realsError { throw RuntimeFailure("the director's agent cannot read IPVS counters over netlink: \(error)") }
        guard let keyed = r.reals else {
            throw RuntimeFailure("the director's agent at \(address) does not read IPVS counters: it is an older lvsbench; "
                + "recreate the lab with `lvsbench lab down` and `lvsbench lab up`")
        }
        guard let reals = [RealReading](keyed: keyed) else {
            throw RuntimeFailure("the director's agent at \(address) named an IPVS real in a form this lvsbench does not read: "
                + "recreate the lab with `lvsbench lab down` and `lvsbench lab up`")
        }
        if let error = r.occasionalError { throw RuntimeFailure("the director's agent cannot count the IPVS connection table: \(error)") }
        return IPVSRead(files: files, reals: withEntries(reals, r.realEntries), connSummary: r.connSummary, timeouts: r.timeouts)
    }

    private static func exchange(_ request: Request, what: String, address: String, namespace: String,
                                 secretFile: String, connectTimeout: Double, replyTimeout: Double) throws -> Response {
        let secret = try AgentSecret.read(from: secretFile)
        let conn = try Socket.connect(address, namespace: namespace, timeout: connectTimeout)
        defer { conn.close() }
        var data = Data(secret.line + [0x0A])
        data.append(try JSONEncoder().encode(request))
        data.append(0x0A)
        guard conn.writeAll([UInt8](data)) else {
            throw RuntimeFailure("the director's agent at \(address) closed the connection: is the guest still running?")
        }
        conn.setReceiveTimeout(replyTimeout)
        guard let line = conn.readLine() else {
            throw RuntimeFailure("no answer from the director's agent at \(address) for \(what)")
        }
        return try decodeResponse(line, address: address, what: what, secretFile: secretFile)
    }

    static func decodeResponse(_ line: [UInt8], address: String, what: String, secretFile: String) throws -> Response {
        let response = try JSONDecoder().decode(Response.self, from: Data(line))
        if response.refused == true {
            throw RuntimeFailure("the director's agent at \(address) refused \(what): it was not started with the secret in \(secretFile); "
                + "recreate the lab with `lvsbench lab down` and `lvsbench lab up`")
        }
        return response
    }
}

/// The director of a uml lab: a user-mode Linux guest, reached through its agent over the
/// management tap in the switch namespace.
public struct GuestNode: LabNode, Codable, Equatable {
    public let name: String
    public let role: NodeRole
    public let switchNamespace: String
    /// host:port of the agent.
    public let agentAddress: String
    /// The lab's `AgentSecret` file on the host.
    public let secretFile: String

    public init(name: String = "director", switchNamespace: String, agentAddress: String, secretFile: String) {
        self.name = name
        self.role = .director
        self.switchNamespace = switchNamespace
        self.agentAddress = agentAddress
        self.secretFile = secretFile
    }

    public func run(_ argv: [String], timeout: Double? = 30) throws -> ProcessResult {
        try GuestAgent.call(argv, address: agentAddress, namespace: switchNamespace, secretFile: secretFile, timeout: timeout)
    }

    public func readFile(_ path: String) throws -> String {
        let outcome = try GuestAgent.read([path], address: agentAddress, namespace: switchNamespace,
                                          secretFile: secretFile)[path]
        guard let content = outcome?.content else {
            throw RuntimeFailure("cannot read \(outcome?.error ?? path) on the director")
        }
        return content
    }

    /// One request to the agent, which reads the files in its own process (no fork in the guest).
    public func readFiles(_ paths: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for (path, outcome) in try GuestAgent.read(paths, address: agentAddress, namespace: switchNamespace,
                                                   secretFile: secretFile) {
            if let content = outcome.content {
                result[path] = content
            } else if !outcome.isMissing {
                throw RuntimeFailure("cannot read \(outcome.error ?? path) on the director")
            }
        }
        return result
    }

    /// The files (as `readFiles`) and every IPVS real's counters, in one request that
    /// starts no process in the guest.
    public func readFilesAndIPVSReals(_ paths: [String]) throws -> (files: [String: String], reals: [RealReading]) {
        let r = try readFilesAndIPVS(paths, occasional: false)
        return (r.files, r.reals)
    }

    /// As `readFilesAndIPVSReals`, with `occasional` also the connection table's summary
    /// and the timeouts (see `GuestAgent.IPVSRead`); over `session` when given (a
    /// collection's open connection), else in a connection of its own.
    public func readFilesAndIPVS(_ paths: [String], occasional: Bool, over session: GuestAgent.Session? = nil)
        throws -> (files: [String: String], reals: [RealReading], connSummary: String?, timeouts: String?) {
        var result: [String: String] = [:]
        let read = try session?.readWithIPVSReals(paths, occasional: occasional)
            ?? GuestAgent.readWithIPVSReals(paths, occasional: occasional, address: agentAddress,
                                            namespace: switchNamespace, secretFile: secretFile)
        for (path, outcome) in read.files {
            if let content = outcome.content {
                result[path] = content
            } else if !outcome.isMissing {
                throw RuntimeFailure("cannot read \(outcome.error ?? path) on the director")
            }
        }
        return (result, read.reals, read.connSummary, read.timeouts)
    }

    /// A connection to this director's agent for many read requests: see `GuestAgent.Session`.
    public func session() -> GuestAgent.Session {
        GuestAgent.Session(address: agentAddress, namespace: switchNamespace, secretFile: secretFile)
    }

    /// `lvsbench lab agent-call`, which forwards argv to the agent and passes its output
    /// and exit status through.
    public func wrap(_ argv: [String]) -> [String] {
        [LabEnvironment.executable, "lab", "agent-call", "--namespace", switchNamespace,
         "--connect", agentAddress, "--secret-file", secretFile, "--"] + argv
    }
}

/// The agent's netlink socket, opened on first use, one request at a time; reopened after
/// a failure, so a socket left in a bad state does not fail every later sample.
final class SharedNetlink: @unchecked Sendable {
    private let lock = NSLock()
    private var socket: NetlinkSocket?

    func realCounters() throws -> [RealReading] { try using { try IPVSNetlink.realCounters(over: $0) } }

    func timeouts() throws -> String { try using { try IPVSNetlink.timeouts(over: $0) } }

    private func using<T>(_ body: (NetlinkSocket) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            let s = try socket ?? NetlinkSocket()
            socket = s
            return try body(s)
        } catch {
            socket = nil
            throw error
        }
    }
}
