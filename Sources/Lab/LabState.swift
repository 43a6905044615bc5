import Foundation
import IPVSControl
import SystemKit

/// One node as recorded in the state: where it lives and which addresses it holds.
public struct NodeState: Codable, Equatable, Sendable {
    public var name: String
    public var role: NodeRole
    /// The host namespace; for a uml director, the switch namespace its taps live in.
    public var namespace: String
    /// "address/prefix" strings on the node's links (not loopback, not the management link).
    public var addresses: [String]
    public var loopbackAddresses: [String]
}

/// A real server as IPVS sees it.
public struct RealState: Codable, Equatable, Sendable {
    /// 1-based; the node is `real<index>`.
    public var index: Int
    public var name: String
    /// The real's address on the reals' net (RIP).
    public var address: String
    public var weight: Int
    public var forwarding: ForwardingMethod
}

/// A process the lab started and must stop; the command-line marker lets `down` check that a
/// pid still belongs to that process before signalling it (pids get reused).
public struct ProcessRecord: Codable, Equatable, Sendable {
    public var pid: Int32
    /// What it is, e.g. "nginx real1".
    public var label: String
    /// A string its /proc/<pid>/cmdline contains.
    public var marker: String
    /// Whether to signal its whole process group (the UML guest runs many host processes).
    public var group: Bool
}

/// Everything a later process needs to use or remove a lab, written to
/// `$LVSBENCH_RUN_DIR/labs/<name>/state.json`. Namespaces and processes are recorded as
/// intents before they are created, so a `lab up` killed midway leaves a state that
/// `lab down --all` can act on.
public struct LabState: Codable, Equatable, Sendable {
    public var spec: LabSpec
    public var name: String
    public var prefix: String
    public var mode: LabMode
    public var backend: DirectorBackend
    public var vip: String
    public var httpPort: Int
    public var tcpPort: Int
    public var scheduler: Scheduler
    public var persistence: Int?
    public var nodes: [NodeState]
    public var reals: [RealState]
    public var directorLinks: [CaptureLink]
    /// real1's address on the direct client<->real1 link (no router, no director).
    public var directAddress: String
    /// The client's address on that link.
    public var directClientAddress: String
    public var switchNamespace: String
    /// host:port of the guest agent (uml only).
    public var agentAddress: String?
    public var labDirectory: String
    /// Every namespace this lab created or was about to create, in creation order.
    public var namespaces: [String]
    public var processes: [ProcessRecord]
    /// False until `lab up` finished; a lab left incomplete is reaped by `down --all`.
    public var complete: Bool
    public var ownerPid: Int32
    public var createdAt: Date
    /// Always false: the lab changes sysctls only inside its own namespaces and the guest.
    public var hostSysctlsTouched: Bool

    public func node(named name: String) -> NodeState? { nodes.first { $0.name == name } }
}
