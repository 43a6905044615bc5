import Foundation
import SystemKit

/// The command channel into a UML director: `lvsbench lab agent` runs inside the guest (the
/// guest sees the host's files, so it is this very binary) and executes argv for the host.
/// One request per connection, each a JSON line both ways.
///
/// A request either runs argv or, with `read`, reads files inside the agent's own process:
/// every process started in the guest costs tens of milliseconds of its single CPU, which
/// a collector sampling several times a second would take away from the traffic it measures.
/// An agent older than `read` answers such a request with "empty command" (argv is []).
public enum GuestAgent {
    struct Request: Codable {
        var argv: [String]
        var timeout: Double?
        /// Paths to read in-process instead of running argv.
        var read: [String]?
    }

    struct Response: Codable {
        var status: Int32
        var stdout: String
        var stderr: String
        /// For a read request: each path's content or error.
        var files: [String: FileReader.Outcome]?
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
        if let paths = request.read {
            var files: [String: FileReader.Outcome] = [:]
            for path in paths { files[path] = FileReader.read(path) }
            response = Response(status: 0, stdout: "", stderr: "", files: files)
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
        guard var data = try? JSONEncoder().encode(response) else { return }
        data.append(0x0A)
        _ = conn.writeAll([UInt8](data))
    }

    /// Runs argv in the guest whose agent listens at `address`, reached from `namespace`.
    public static func call(_ argv: [String], address: String, namespace: String,
                            timeout: Double?, connectTimeout: Double = 5,
                            replyTimeout: Double? = nil) throws -> ProcessResult {
        let r = try exchange(Request(argv: argv, timeout: timeout), what: "`\(argv.joined(separator: " "))`",
                             address: address, namespace: namespace, connectTimeout: connectTimeout,
                             replyTimeout: replyTimeout ?? timeout.map { $0 + 10 } ?? 0)
        return ProcessResult(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// Reads `paths` inside the guest without starting a process there; each path maps to
    /// its content or its error.
    public static func read(_ paths: [String], address: String, namespace: String,
                            replyTimeout: Double = 10) throws -> [String: FileReader.Outcome] {
        let r = try exchange(Request(argv: [], timeout: nil, read: paths), what: "reading \(paths.count) files",
                             address: address, namespace: namespace, connectTimeout: 5, replyTimeout: replyTimeout)
        guard let files = r.files else {
            throw RuntimeFailure("the director's agent at \(address) cannot read files (\(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))): "
                + "it is an older lvsbench; recreate the lab with `lvsbench lab down` and `lvsbench lab up`")
        }
        return files
    }

    private static func exchange(_ request: Request, what: String, address: String, namespace: String,
                                 connectTimeout: Double, replyTimeout: Double) throws -> Response {
        let conn = try Socket.connect(address, namespace: namespace, timeout: connectTimeout)
        defer { conn.close() }
        var data = try JSONEncoder().encode(request)
        data.append(0x0A)
        guard conn.writeAll([UInt8](data)) else {
            throw RuntimeFailure("the director's agent at \(address) closed the connection: is the guest still running?")
        }
        conn.setReceiveTimeout(replyTimeout)
        guard let line = conn.readLine() else {
            throw RuntimeFailure("no answer from the director's agent at \(address) for \(what)")
        }
        return try JSONDecoder().decode(Response.self, from: Data(line))
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
        let outcome = try GuestAgent.read([path], address: agentAddress, namespace: switchNamespace)[path]
        guard let content = outcome?.content else {
            throw RuntimeFailure("cannot read \(outcome?.error ?? path) on the director")
        }
        return content
    }

    /// One request to the agent, which reads the files in its own process (no fork in the guest).
    public func readFiles(_ paths: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for (path, outcome) in try GuestAgent.read(paths, address: agentAddress, namespace: switchNamespace) {
            if let content = outcome.content {
                result[path] = content
            } else if !outcome.isMissing {
                throw RuntimeFailure("cannot read \(outcome.error ?? path) on the director")
            }
        }
        return result
    }

    /// `lvsbench lab agent-call`, which forwards argv to the agent and passes its output
    /// and exit status through.
    public func wrap(_ argv: [String]) -> [String] {
        [LabEnvironment.executable, "lab", "agent-call", "--namespace", switchNamespace,
         "--connect", agentAddress, "--"] + argv
    }
}
