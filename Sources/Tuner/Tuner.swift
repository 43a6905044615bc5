import Balancing
import Foundation
import Lab
import SystemKit
import Vocabulary

/// A running lab as the tuner sees it: its nodes and the directory that holds its state.
public struct TuningTarget {
    public var nodes: [any LabNode]
    /// The lab's state directory; the undo log goes to `<labDirectory>/tuning.json`. It also
    /// names the lab in the host-wide record of host-global sysctls.
    public var labDirectory: String
    /// Where host-global sysctls are reference-counted across labs (tests pass a scratch one).
    public var hostGlobals: HostGlobalSysctls
    /// What balances the lab's director: IPVS settings of a profile need IPVS.
    public var balancer: BalancerKind
    public init(nodes: [any LabNode], labDirectory: String, hostGlobals: HostGlobalSysctls = .shared,
                balancer: BalancerKind = .ipvs) {
        self.nodes = nodes
        self.labDirectory = labDirectory
        self.hostGlobals = hostGlobals
        self.balancer = balancer
    }
}

/// The outcome of `apply`, printed by `tune apply` and written with --json.
public struct ApplyReport: Codable, Equatable, Sendable {
    public var profile: String
    /// What was written (found != wanted), in order.
    public var applied: [TuningChange]
    /// Already at the wanted value.
    public var unchanged: [TuningChange]
    public var skippedMissing: [TunerError.MissingKey]
    public var rolesWithoutNodes: [String]
    /// Restore failures of the previous tuning, if one had to be undone first.
    public var previousRestoreFailures: [String]
}

/// One row of `tune diff`: a value the tuning changed, against what it found.
public struct TuningDiffRow: Codable, Equatable, Sendable {
    public var node: String
    public var key: String
    public var found: String
    public var applied: String
    /// nil when it cannot be read any more (node gone).
    public var now: String?
}

/// Applies profiles to a lab all-or-nothing and restores what it found.
public enum Tuner {
    /// Checks `profile` against every node (see `TuningPlanner.plan`) and against the host-wide
    /// values other labs hold (see `HostGlobalSysctls`), undoes any earlier tuning of the lab
    /// (only once the profile passed), records the values found in the lab's undo log, then
    /// writes the changes in order. A host-wide key is taken through the host-wide record
    /// even when it already has the wanted value, so that another lab's `lab down` cannot
    /// restore it under this lab. A failure or `interrupted()` turning true midway restores
    /// every value written, last first, and throws. `host` runs host-wide writes (tests pass a fake).
    public static func apply(_ profile: Profile, to target: TuningTarget, options: TuningOptions,
                             host: CommandRunner = NodeSysctls.hostRunner,
                             interrupted: () -> Bool = { false }) throws -> ApplyReport {
        if let reason = balancerRefusal(profile, balancer: target.balancer) { throw InvalidInput(reason) }
        var previous: [String] = []
        if try SysctlUndoLog.load(labDirectory: target.labDirectory) != nil {
            // A profile that would be refused must not undo the tuning in place either.
            try checkHostHoldings(try TuningPlanner.plan(profile: profile, nodes: target.nodes, options: options, host: host), target)
            previous = try SysctlUndoLog.restoreAndRemove(labDirectory: target.labDirectory, nodes: target.nodes, host: host,
                                                          hostGlobals: target.hostGlobals)
        }
        guard previous.isEmpty else {
            throw TunerError.applyFailed(step: "restoring the previous tuning", cause: previous.joined(separator: "; "),
                                         rolledBack: false, restoreFailures: previous)
        }
        let plan = try TuningPlanner.plan(profile: profile, nodes: target.nodes, options: options, host: host)
        try checkHostHoldings(plan, target)
        let writes = plan.changes.filter { $0.changes || $0.place == .host }
        var report = ApplyReport(profile: plan.profile, applied: [], unchanged: plan.changes.filter { !$0.changes && $0.place != .host },
                                 skippedMissing: plan.skipped, rolesWithoutNodes: plan.rolesWithoutNodes,
                                 previousRestoreFailures: previous)
        guard !writes.isEmpty else { return report }
        var log = SysctlUndoLog(origin: profile.name, entries: writes.map(\.undoEntry))
        try log.save(labDirectory: target.labDirectory)
        for (index, change) in writes.enumerated() {
            if interrupted() { throw rollBack(report.applied, target: target, host: host, interrupted: true, step: "") }
            var done = change
            do {
                if change.place == .host {
                    done.found = try target.hostGlobals.acquire(key: change.key, value: change.wanted,
                                                                holder: target.labDirectory, host: host)
                    log.entries[index].found = done.found
                } else {
                    try SysctlUndoLog.write(kind: change.kind, key: change.key, value: change.wanted,
                                            on: try node(change.node, in: target))
                }
            } catch {
                throw rollBack(report.applied, target: target, host: host, interrupted: interrupted(),
                               step: "setting \(change.key) on \(change.node)", cause: "\(error)")
            }
            report.applied.append(done)
        }
        if interrupted() { throw rollBack(report.applied, target: target, host: host, interrupted: true, step: "") }
        // The host-wide record knows the true original of a host key another lab had changed.
        try? log.save(labDirectory: target.labDirectory)
        return report
    }

    /// Refuses, before anything changes, a host-wide value that another live lab holds at a
    /// different value (the record is checked again under its lock when the value is taken).
    static func checkHostHoldings(_ plan: TuningPlan, _ target: TuningTarget) throws {
        for change in plan.changes where change.place == .host {
            if let conflict = try target.hostGlobals.conflict(key: change.key, value: change.wanted, holder: target.labDirectory) {
                throw conflict
            }
        }
    }

    static func node(_ name: String, in target: TuningTarget) throws -> any LabNode {
        guard let node = target.nodes.first(where: { $0.name == name }) else {
            throw RuntimeFailure("node \(name) is not in the lab any more")
        }
        return node
    }

    /// Restores `applied` (last first); removes the undo log when that worked, else keeps
    /// in it exactly the entries that could not be restored, for `tune reset`.
    static func rollBack(_ applied: [TuningChange], target: TuningTarget, host: CommandRunner,
                         interrupted: Bool, step: String, cause: String = "") -> TunerError {
        var failures: [String] = []
        var unrestored: [SysctlUndoLog.Entry] = []
        for change in applied.reversed() {
            do {
                if change.place == .host {
                    try target.hostGlobals.release(key: change.key, holder: target.labDirectory, host: host)
                } else {
                    try SysctlUndoLog.write(kind: change.kind, key: change.key, value: change.found,
                                            on: try node(change.node, in: target))
                }
            } catch {
                failures.append("\(change.key) on \(change.node): \(error)")
                unrestored.insert(change.undoEntry, at: 0)
            }
        }
        let path = SysctlUndoLog.path(labDirectory: target.labDirectory)
        if failures.isEmpty {
            try? FileManager.default.removeItem(atPath: path)
        } else if var log = try? SysctlUndoLog.load(labDirectory: target.labDirectory) {
            log.entries = unrestored
            try? log.save(labDirectory: target.labDirectory)
        }
        if interrupted { return .interrupted(rolledBack: failures.isEmpty) }
        return .applyFailed(step: step, cause: cause, rolledBack: failures.isEmpty, restoreFailures: failures)
    }

    /// Restores what the lab's undo log recorded and removes it. Returns the entries
    /// restored; throws when some could not be (the log stays, holding just those, for another try).
    @discardableResult
    public static func reset(_ target: TuningTarget, host: CommandRunner = NodeSysctls.hostRunner) throws -> [SysctlUndoLog.Entry] {
        guard let log = try SysctlUndoLog.load(labDirectory: target.labDirectory) else { return [] }
        let failures = try SysctlUndoLog.restoreAndRemove(labDirectory: target.labDirectory, nodes: target.nodes, host: host,
                                                          hostGlobals: target.hostGlobals)
        guard failures.isEmpty else {
            throw RuntimeFailure("could not restore \(failures.joined(separator: "; ")); the record stays in "
                                 + "\(SysctlUndoLog.path(labDirectory: target.labDirectory)) for another `tune reset`")
        }
        return log.entries
    }

    /// The lab's current values of everything the recorded tuning changed.
    public static func diff(_ target: TuningTarget, host: @escaping CommandRunner = NodeSysctls.hostRunner) throws -> (origin: String, rows: [TuningDiffRow]) {
        guard let log = try SysctlUndoLog.load(labDirectory: target.labDirectory) else {
            throw TunerError.notTuned(labDirectory: target.labDirectory)
        }
        var rows: [TuningDiffRow] = []
        for entry in log.entries {
            var now: String?
            let labNode = try? node(entry.node, in: target)
            switch (entry.kind, entry.place) {
            case (.sysctl, .host):
                now = (try? NodeSysctls.probe([entry.key], run: host))?[entry.key]?.value
            case (.sysctl, .node):
                now = labNode.flatMap { (try? NodeSysctls.probe([entry.key], run: NodeSysctls.runner(for: $0)))?[entry.key]?.value }
            case (.ipvsTimeouts, _):
                now = labNode.flatMap { try? DirectorBalancer.on($0).timeouts() }?.description
            }
            rows.append(TuningDiffRow(node: entry.node, key: entry.key, found: entry.found, applied: entry.applied, now: now))
        }
        return (log.origin, rows)
    }
}

extension TuningTarget {
    /// Every node of a running lab, its state directory and its balancer.
    public init(lab: RunningLab) {
        self.init(nodes: lab.nodes, labDirectory: lab.state.labDirectory, balancer: lab.state.spec.balancer)
    }
}

extension Tuner {
    /// Why `profile` cannot tune a director balanced by `balancer`, or nil: its director's
    /// IPVS timeouts and `net.ipv4.vs.*` keys exist only where IPVS runs.
    public static func balancerRefusal(_ profile: Profile, balancer: BalancerKind) -> String? {
        guard balancer != .ipvs else { return nil }
        let director = profile.tuning(for: .director)
        var settings: [String] = []
        if let timeouts = director.ipvsTimeouts { settings.append("IPVS timeouts \(timeouts)") }
        settings += director.ipvsSysctl.map(\.key)
        guard !settings.isEmpty else { return nil }
        return "profile \(profile.name) sets \(settings.joined(separator: ", ")), which only IPVS has: "
            + "balancer \(balancer.rawValue) runs profiles without director.ipvs settings"
    }
}
