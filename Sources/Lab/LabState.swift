import Foundation
import IPVSControl
import SystemKit
import Vocabulary

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
    /// The state file format this build writes and reads; a file of a newer format is
    /// another lvsbench's and is not acted on as if it were ours.
    public static let currentFormatVersion = 2

    public var spec: LabSpec
    public var name: String
    public var prefix: String
    public var mode: LabMode
    public var directorHost: DirectorHost
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
    /// host:port of director2's guest agent (uml with `spec.directors` 2 only; else absent
    /// from the file).
    public var standbyAgentAddress: String? = nil
    public var labDirectory: String
    /// Every namespace this lab created or was about to create, in creation order.
    public var namespaces: [String]
    public var processes: [ProcessRecord]
    /// False until `lab up` finished; a lab left incomplete is reaped by `down --all`.
    public var complete: Bool
    /// The process that built the lab and uses it until it ends (`lvsbench run`), or the
    /// `lab up` that built it and then exited, leaving the lab to whoever comes next.
    public var ownerPid: Int32
    public var createdAt: Date
    /// Always false: the lab changes sysctls only inside its own namespaces and the guest.
    public var hostSysctlsTouched: Bool
    /// The owner's start time (`DetachedProcess.startTime`), so a reused pid is not taken
    /// for the owner; nil in files of format 1.
    public var ownerStartTime: UInt64? = nil
    /// `currentFormatVersion` when written; nil in files written before the field existed,
    /// which are format 1.
    public var formatVersion: Int? = LabState.currentFormatVersion

    /// The state file keeps the key `backend` that format 1 and 2 files were written with.
    enum CodingKeys: String, CodingKey {
        case spec, name, prefix, mode, directorHost = "backend", vip, httpPort, tcpPort, scheduler, persistence, nodes,
             reals, directorLinks, directAddress, directClientAddress, switchNamespace, agentAddress, standbyAgentAddress,
             labDirectory, namespaces, processes, complete, ownerPid, createdAt, hostSysctlsTouched, ownerStartTime,
             formatVersion
    }

    public func node(named name: String) -> NodeState? { nodes.first { $0.name == name } }

    /// The owner when it still runs (same pid and start time; for a format 1 state, a live
    /// process whose command line is lvsbench's), else nil. This process never counts: what
    /// it asks to remove, it may remove.
    public var liveOwner: Int32? {
        LabState.liveOwner(pid: ownerPid, startTime: ownerStartTime)
    }

    static func liveOwner(pid: Int32, startTime: UInt64?) -> Int32? {
        guard pid > 1, pid != getpid(), DetachedProcess.isAlive(pid) else { return nil }
        if let startTime { return DetachedProcess.startTime(of: pid) == startTime ? pid : nil }
        return DetachedProcess.commandLine(of: pid)?.contains("lvsbench") == true ? pid : nil
    }

    /// Why this state cannot be lab `name`'s, or nil when it can: every namespace, node and
    /// process it records must be the lab's own, so that a damaged file never makes `down`
    /// delete or kill something else.
    func ownershipProblem(name expected: String) -> String? {
        guard name == expected, spec.name == expected else { return "it records lab '\(name)', not '\(expected)'" }
        guard labDirectory == LabEnvironment.labDirectory(expected) else { return "it records directory \(labDirectory)" }
        let foreignNamespace = (namespaces + nodes.map(\.namespace) + [switchNamespace])
            .first { !LabState.namespace($0, belongsTo: name, prefix: prefix) }
        if let ns = foreignNamespace { return "namespace \(ns) is not one of lab \(name)'s" }
        if let p = processes.first(where: { $0.pid < 0 || !LabState.marker($0.marker, belongsTo: name, prefix: prefix) }) {
            return "process record '\(p.label)' (pid \(p.pid), marker '\(p.marker)') is not one of lab \(name)'s"
        }
        return nil
    }

    /// What makes this state unusable even though every record is the lab's: a node or real
    /// that the code relies on missing, a spec that no longer validates. Nil when usable.
    var structureProblem: String? {
        do { try spec.validate() } catch { return "its spec is invalid: \(error)" }
        guard spec.reals == reals.count else { return "it records \(reals.count) reals for a spec of \(spec.reals)" }
        let directors = DirectorSeat.seats(spec.directors).map(\.name)
        let required = ["client", "router"] + (directorHost == .native ? directors : []) + reals.map(\.name)
        if let missing = required.first(where: { node(named: $0) == nil }) { return "node \(missing) is missing" }
        return nil
    }

    /// Whether `namespace` is `Topology.namespace(prefix:lab:node:)` of a node of lab `lab`:
    /// the node part must be a node name, so lab `a` never claims lab `a-b`'s namespaces.
    public static func namespace(_ namespace: String, belongsTo lab: String, prefix: String) -> Bool {
        let head = Topology.namespace(prefix: prefix, lab: lab, node: "")
        guard namespace.hasPrefix(head) else { return false }
        let node = namespace.dropFirst(head.count)
        if ["sw", "client", "router", "director", "director2"].contains(node) { return true }
        let index = node.dropFirst(4)
        return node.hasPrefix("real") && !index.isEmpty && index.allSatisfy { ("0"..."9").contains($0) }
    }

    /// Whether a process marker is one lab `lab` records: a path inside its directory, or
    /// one of its guests' exact `umid=`.
    static func marker(_ marker: String, belongsTo lab: String, prefix: String) -> Bool {
        guestMarkers(prefix: prefix, lab: lab).contains(marker) || marker.contains(LabEnvironment.labDirectory(lab) + "/")
    }

    /// The `umid` of lab `lab`'s guest for director `node`: director1's is `<prefix>-<lab>`,
    /// director2's ends in `.director2`, with a dot no lab name has, so that it is never the
    /// umid of another lab's guest (lab `a`'s director2 is not lab `a-director2`'s director).
    public static func guestUmid(prefix: String, lab: String, node: String = "director") -> String {
        node == "director" ? "\(prefix)-\(lab)" : "\(prefix)-\(lab).\(node)"
    }

    /// The `umid=` markers of every guest lab `lab` may run, director1's first.
    static func guestMarkers(prefix: String, lab: String) -> [String] {
        DirectorSeat.seats(2).map { "umid=" + guestUmid(prefix: prefix, lab: lab, node: $0.name) }
    }
}
