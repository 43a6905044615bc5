import Balancing
import Foundation
import SystemKit

/// What a node is for in the classic LVS lab.
public enum NodeRole: String, Codable, Sendable {
    case client, router, director, real
}

/// A place in the lab where commands run and files are read: a network namespace of the
/// host, or (for a user-mode Linux director) the guest, reached through its agent.
/// Collector, tuner and experiments use only this, so they work the same on both director hosts;
/// a balancer runs its commands on the director through it (`CommandRunning`, with `check`).
public protocol LabNode: CommandRunning {
    /// `client`, `router`, `director`, `real1` ... `realN`.
    var name: String { get }
    var role: NodeRole { get }
    /// Runs argv inside the node and captures its output.
    func run(_ argv: [String], timeout: Double?) throws -> ProcessResult
    /// The text of a file as the node sees it (its own /proc/net/..., its own sysctls).
    func readFile(_ path: String) throws -> String
    /// The texts of several files at once, keyed by path, as cheaply as the node allows (a
    /// UML director's agent reads them without starting a process; a namespace needs one).
    /// A file that does not exist is simply absent from the result (a kernel without
    /// conntrack has no nf_conntrack_count): callers decide whether that matters. Any other
    /// failure to read throws.
    func readFiles(_ paths: [String]) throws -> [String: String]
    /// The argv that runs `argv` inside the node from the host, for callers that need a
    /// child process of their own (streaming output, passing through a terminal).
    func wrap(_ argv: [String]) -> [String]
}

extension LabNode {
    /// `readFile` per path; a path whose read fails is left out. For nodes (such as test
    /// doubles) that have no cheaper way.
    public func readFiles(_ paths: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for path in paths { result[path] = try? readFile(path) }
        return result
    }
}

extension LabNode {
    /// The node's guest agent when it is a UML guest: its agent reads IPVS in its own
    /// process (per-real counters and entries over netlink, the connection table counted
    /// in chunks), where each process started would cost the guest's one CPU tens of
    /// milliseconds. Nil for a namespace, which reads the same with `ipvsadm` and `awk`.
    /// The collector and the scenarios' director probe both decide here.
    public var ipvsAgent: GuestNode? { self as? GuestNode }
}

/// A node that is a network namespace of the host (`ip netns exec`). /proc/net and
/// /proc/sys/net are per namespace, so reading them through `cat` in the namespace gives the
/// node's own view.
public struct NamespaceNode: LabNode, Codable, Equatable {
    public let name: String
    public let role: NodeRole
    /// The `ip netns` name, e.g. `lvsb-default-client`.
    public let namespace: String

    public init(name: String, role: NodeRole, namespace: String) {
        self.name = name
        self.role = role
        self.namespace = namespace
    }

    public func wrap(_ argv: [String]) -> [String] {
        ["ip", "netns", "exec", namespace] + argv
    }

    public func run(_ argv: [String], timeout: Double? = 30) throws -> ProcessResult {
        try ProcessRunner.run(wrap(argv), timeout: timeout)
    }

    public func readFile(_ path: String) throws -> String {
        try check(["cat", path]).stdout
    }

    /// One process in the namespace (a namespace's /proc/net is only visible from inside it):
    /// `sh` lists the paths that exist, then execs `grep -aH ''`, which prefixes every line
    /// with its path. Listing first keeps an empty file apart from a missing one.
    public func readFiles(_ paths: [String]) throws -> [String: String] {
        guard !paths.isEmpty else { return [:] }
        let script = #"m=$1; shift; for f do if [ -e "$f" ]; then printf '%s\n' "$f"; fi; done; printf '%s\n' "$m"; exec grep -aH '' "$@""#
        let result = try run(["sh", "-c", script, "sh", Self.filesMarker] + paths, timeout: 30)
        let (files, unreadable) = Self.parseFiles(result.stdout, stderr: result.stderr, paths: paths)
        // grep exits 1 when every file is empty, 2 when a file is missing or unreadable.
        guard result.status <= 2, unreadable.isEmpty else {
            throw CommandFailed(argv: ["grep", "-aH", ""] + unreadable, result: result)
        }
        return files
    }

    static let filesMarker = "==lvsbench-files=="

    /// Splits `readFiles`' output: the existing paths up to the marker line, then grep's
    /// `path:line` lines, matched against the known paths (longest first, so a path that
    /// is a prefix of another is not confused with it). Also returns the existing paths
    /// grep could not read.
    static func parseFiles(_ stdout: String, stderr: String, paths: [String]) -> (files: [String: String], unreadable: [String]) {
        let byLength = Set(paths).sorted { $0.count > $1.count }
        var lines: [String: [Substring]] = [:]
        var listing = true
        for line in stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            if listing {
                if line == filesMarker { listing = false } else if !line.isEmpty { lines[String(line)] = [] }
                continue
            }
            guard let path = byLength.first(where: { line.hasPrefix($0 + ":") }), lines[path] != nil else { continue }
            lines[path]!.append(line.dropFirst(path.count + 1))
        }
        let files = lines.mapValues { $0.isEmpty ? "" : $0.joined(separator: "\n") + "\n" }
        let unreadable = files.keys.filter { stderr.contains("grep: \($0):") }.sorted()
        return (files, unreadable)
    }
}
