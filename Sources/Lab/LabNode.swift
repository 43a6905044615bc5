import Foundation
import SystemKit

/// What a node is for in the classic LVS lab.
public enum NodeRole: String, Codable, Sendable {
    case client, router, director, real
}

/// A place in the lab where commands run and files are read: a network namespace of the
/// host, or (for a user-mode Linux director) the guest, reached through its agent.
/// Collector, tuner and experiments use only this, so they work the same on both backends.
public protocol LabNode: Sendable {
    /// `client`, `router`, `director`, `real1` ... `realN`.
    var name: String { get }
    var role: NodeRole { get }
    /// Runs argv inside the node and captures its output.
    func run(_ argv: [String], timeout: Double?) throws -> ProcessResult
    /// The text of a file as the node sees it (its own /proc/net/..., its own sysctls).
    func readFile(_ path: String) throws -> String
    /// The argv that runs `argv` inside the node from the host, for callers that need a
    /// child process of their own (streaming output, passing through a terminal).
    func wrap(_ argv: [String]) -> [String]
}

extension LabNode {
    /// Runs argv inside the node; a non-zero exit throws `CommandFailed`.
    @discardableResult
    public func check(_ argv: [String], timeout: Double? = 30) throws -> ProcessResult {
        let result = try run(argv, timeout: timeout)
        guard result.succeeded else { throw CommandFailed(argv: argv, result: result) }
        return result
    }
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
}
