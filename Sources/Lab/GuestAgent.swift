import Foundation
import SystemKit

/// The command channel into a UML director: `lvsbench lab agent` runs inside the guest (the
/// guest sees the host's files, so it is this very binary) and executes argv for the host.
/// One request per connection, each a JSON line both ways.
public enum GuestAgent {
    struct Request: Codable {
        var argv: [String]
        var timeout: Double?
    }

    struct Response: Codable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    public static func serve(listen address: String) throws -> Never {
        let server = try Socket.listen(address, backlog: 64)
        while true {
            guard let conn = server.accept() else { continue }
            Thread { handle(conn) }.start()
        }
    }

    static func handle(_ conn: Socket) {
        defer { conn.close() }
        guard let line = conn.readLine(),
              let request = try? JSONDecoder().decode(Request.self, from: Data(line)) else { return }
        let response: Response
        if request.argv.isEmpty {
            response = Response(status: 2, stdout: "", stderr: "agent: empty command\n")
        } else {
            do {
                let r = try ProcessRunner.run(request.argv, timeout: request.timeout)
                response = Response(status: r.status, stdout: r.stdout, stderr: r.stderr)
            } catch {
                response = Response(status: 127, stdout: "", stderr: "agent: \(error)\n")
            }
        }
        guard var data = try? JSONEncoder().encode(response) else { return }
        data.append(0x0A)
        _ = conn.writeAll([UInt8](data))
    }

    /// Runs argv in the guest whose agent listens at `address`, reached from `namespace`.
    public static func call(_ argv: [String], address: String, namespace: String,
                            timeout: Double?, connectTimeout: Double = 5,
                            replyTimeout: Double? = nil) throws -> ProcessResult {
        let conn = try Socket.connect(address, namespace: namespace, timeout: connectTimeout)
        defer { conn.close() }
        var data = try JSONEncoder().encode(Request(argv: argv, timeout: timeout))
        data.append(0x0A)
        guard conn.writeAll([UInt8](data)) else {
            throw RuntimeFailure("the director's agent at \(address) closed the connection: is the guest still running?")
        }
        conn.setReceiveTimeout(replyTimeout ?? timeout.map { $0 + 10 } ?? 0)
        guard let line = conn.readLine() else {
            throw RuntimeFailure("no answer from the director's agent at \(address) for `\(argv.joined(separator: " "))`")
        }
        let r = try JSONDecoder().decode(Response.self, from: Data(line))
        return ProcessResult(status: r.status, stdout: r.stdout, stderr: r.stderr)
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

    public init(name: String = "director", switchNamespace: String, agentAddress: String) {
        self.name = name
        self.role = .director
        self.switchNamespace = switchNamespace
        self.agentAddress = agentAddress
    }

    public func run(_ argv: [String], timeout: Double? = 30) throws -> ProcessResult {
        try GuestAgent.call(argv, address: agentAddress, namespace: switchNamespace, timeout: timeout)
    }

    public func readFile(_ path: String) throws -> String {
        try check(["cat", path]).stdout
    }

    /// `lvsbench lab agent-call`, which forwards argv to the agent and passes its output
    /// and exit status through.
    public func wrap(_ argv: [String]) -> [String] {
        [LabEnvironment.executable, "lab", "agent-call", "--namespace", switchNamespace,
         "--connect", agentAddress, "--"] + argv
    }
}
