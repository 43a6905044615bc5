import Balancing
import Foundation
import Lab
import SystemKit

/// One value a profile sets on one node, with the value found there.
public struct TuningChange: Codable, Equatable, Sendable {
    public var node: String
    public var kind: SysctlUndoLog.Kind
    public var key: String
    public var place: SysctlUndoLog.Place
    public var found: String
    public var wanted: String
    /// False when the node already has the wanted value: nothing is written.
    public var changes: Bool { found != wanted }

    public var undoEntry: SysctlUndoLog.Entry {
        SysctlUndoLog.Entry(node: node, kind: kind, key: key, place: place, found: found, applied: wanted)
    }
}

/// Everything a profile would do to a lab, checked against the lab's kernels, before
/// anything is written.
public struct TuningPlan: Codable, Equatable, Sendable {
    public var profile: String
    /// In apply order: director, router, reals, client; within a node, the profile's order,
    /// IPVS timeouts last.
    public var changes: [TuningChange]
    /// Keys a kernel lacks, left out because the user passed --skip-missing.
    public var skipped: [TunerError.MissingKey]
    /// Roles the profile tunes that the lab has no node for.
    public var rolesWithoutNodes: [String]
}

/// What the user allows beyond the safe default.
public struct TuningOptions: Sendable {
    /// Go on without keys a kernel lacks (each is reported).
    public var skipMissing: Bool
    /// Allow sysctls that are host-wide for namespace nodes.
    public var allowGlobal: Bool
    public init(skipMissing: Bool = false, allowGlobal: Bool = false) {
        self.skipMissing = skipMissing
        self.allowGlobal = allowGlobal
    }
}

/// Checks a resolved profile against the lab's nodes and turns it into a plan.
public enum TuningPlanner {
    static let applyOrder: [ProfileRole] = [.director, .router, .reals, .client]

    /// Reads every key on every node it concerns, then refuses the profile (changing
    /// nothing) for a value of the wrong form or range, a read-only key, a key a kernel
    /// lacks (unless skipMissing) or a host-wide key on a namespace node (unless allowGlobal).
    public static func plan(profile: Profile, nodes: [any LabNode], options: TuningOptions,
                            host: CommandRunner = NodeSysctls.hostRunner) throws -> TuningPlan {
        var changes: [TuningChange] = []
        var missing: [TunerError.MissingKey] = []
        var global: [(node: String, key: String)] = []
        var rolesWithoutNodes: [String] = []
        for role in applyOrder {
            let tuning = profile.tuning(for: role)
            guard !tuning.isEmpty else { continue }
            let targets = nodes.filter { $0.role == role.nodeRole }.sorted { $0.name < $1.name }
            if targets.isEmpty { rolesWithoutNodes.append(role.rawValue) }
            for node in targets {
                let settings = tuning.allSysctls
                let keys = settings.map(\.key)
                let ownKernel = try NodeSysctls.hasOwnKernel(node, host: host)
                let inNode = try NodeSysctls.probe(keys, run: NodeSysctls.runner(for: node))
                let onHost = ownKernel ? [:] : try NodeSysctls.probe(keys.filter { inNode[$0]?.isWritable != true }, run: host)
                for setting in settings {
                    let resolution = SysctlScopeRule.resolve(key: setting.key, inNode: inNode[setting.key],
                                                             onHost: onHost[setting.key], ownKernel: ownKernel)
                    let scope: SysctlScope
                    switch resolution {
                    case .missing:
                        missing.append(.init(node: node.name, key: setting.key))
                        continue
                    case .readOnly:
                        throw TunerError.badValue(node: node.name, key: setting.key, problem: "the kernel makes it read-only here")
                    case .scoped(let s):
                        scope = s
                    }
                    let found = (scope == .node ? inNode[setting.key] : onHost[setting.key] ?? inNode[setting.key])?.value ?? ""
                    if let problem = SysctlValueCheck.problem(key: setting.key, wanted: setting.value, current: found) {
                        throw TunerError.badValue(node: node.name, key: setting.key, problem: problem)
                    }
                    if scope == .global {
                        global.append((node.name, setting.key))
                        // One host value serves every namespace node: write (and record) it once.
                        if let earlier = changes.first(where: { $0.place == .host && $0.key == setting.key }) {
                            guard earlier.wanted == setting.value else {
                                throw TunerError.badValue(node: node.name, key: setting.key,
                                                          problem: "host-wide, and \(earlier.node) wants \(earlier.wanted) but this node \(setting.value)")
                            }
                            continue
                        }
                    }
                    changes.append(TuningChange(node: node.name, kind: .sysctl, key: setting.key,
                                                place: scope == .node ? .node : .host, found: found, wanted: setting.value))
                }
                if let wanted = tuning.ipvsTimeouts, role == .director {
                    let current = try DirectorBalancer.on(node).timeouts()
                    changes.append(TuningChange(node: node.name, kind: .ipvsTimeouts, key: "ipvs.timeouts", place: .node,
                                                found: current.description, wanted: wanted.filled(from: current).description))
                }
            }
        }
        if !missing.isEmpty && !options.skipMissing { throw TunerError.missingKeys(missing) }
        if !global.isEmpty && !options.allowGlobal, let first = global.first {
            throw TunerError.globalKeys(node: first.node, keys: global.filter { $0.node == first.node }.map(\.key))
        }
        return TuningPlan(profile: profile.name, changes: changes, skipped: missing, rolesWithoutNodes: rolesWithoutNodes)
    }
}
