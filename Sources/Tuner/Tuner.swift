import Foundation
import Lab
import SystemKit

/// A running lab as the tuner sees it: its nodes and the directory that holds its state.
public struct TuningTarget {
    public var nodes: [any LabNode]
    /// The lab's state directory; the undo log goes to `<labDirectory>/tuning.json`.
    public var labDirectory: String
    public init(nodes: [any LabNode], labDirectory: String) {
        self.nodes = nodes
        self.labDirectory = labDirectory
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
    /// Checks `profile` against every node (see `TuningPlanner.plan`), undoes any earlier
    /// tuning of the lab (only once the profile passed), records the values found in the lab's undo log, then writes the
    /// changes in order. A failure or `interrupted()` turning true midway restores every
    /// value written, last first, and throws. `host` runs host-wide writes (tests pass a fake).
    public static func apply(_ profile: Profile, to target: TuningTarget, options: TuningOptions,
                             host: CommandRunner = NodeSysctls.hostRunner,
                             interrupted: () -> Bool = { false }) throws -> ApplyReport {
        var previous: [String] = []
        if try SysctlUndoLog.load(labDirectory: target.labDirectory) != nil {
            // A profile that would be refused must not undo the tuning in place either.
            _ = try TuningPlanner.plan(profile: profile, nodes: target.nodes, options: options, host: host)
            previous = try SysctlUndoLog.restoreAndRemove(labDirectory: target.labDirectory, nodes: target.nodes, host: host)
        }
        guard previous.isEmpty else {
            throw TunerError.applyFailed(step: "restoring the previous tuning", cause: previous.joined(separator: "; "),
                                         rolledBack: false, restoreFailures: previous)
        }
        let plan = try TuningPlanner.plan(profile: profile, nodes: target.nodes, options: options, host: host)
        let writes = plan.changes.filter(\.changes)
        var report = ApplyReport(profile: plan.profile, applied: [], unchanged: plan.changes.filter { !$0.changes },
                                 skippedMissing: plan.skipped, rolesWithoutNodes: plan.rolesWithoutNodes,
                                 previousRestoreFailures: previous)
        guard !writes.isEmpty else { return report }
        try SysctlUndoLog(origin: profile.name, entries: writes.map(\.undoEntry)).save(labDirectory: target.labDirectory)
        for change in writes {
            if interrupted() { throw rollBack(report.applied, target: target, host: host, interrupted: true, step: "") }
            let argv = SysctlUndoLog.command(kind: change.kind, key: change.key, value: change.wanted)
            do {
                let result = try change.place == .host ? host(argv) : node(change.node, in: target).run(argv, timeout: 30)
                guard result.succeeded else { throw CommandFailed(argv: argv, result: result) }
            } catch {
                throw rollBack(report.applied, target: target, host: host, interrupted: interrupted(),
                               step: "setting \(change.key) on \(change.node)", cause: "\(error)")
            }
            report.applied.append(change)
        }
        if interrupted() { throw rollBack(report.applied, target: target, host: host, interrupted: true, step: "") }
        return report
    }

    static func node(_ name: String, in target: TuningTarget) throws -> any LabNode {
        guard let node = target.nodes.first(where: { $0.name == name }) else {
            throw RuntimeFailure("node \(name) is not in the lab any more")
        }
        return node
    }

    /// Restores `applied` (last first); removes the undo log when that worked.
    static func rollBack(_ applied: [TuningChange], target: TuningTarget, host: CommandRunner,
                         interrupted: Bool, step: String, cause: String = "") -> TunerError {
        var failures: [String] = []
        for change in applied.reversed() {
            let argv = SysctlUndoLog.command(kind: change.kind, key: change.key, value: change.found)
            do {
                let result = try change.place == .host ? host(argv) : node(change.node, in: target).run(argv, timeout: 30)
                if !result.succeeded { throw CommandFailed(argv: argv, result: result) }
            } catch {
                failures.append("\(change.key) on \(change.node): \(error)")
            }
        }
        if failures.isEmpty { try? FileManager.default.removeItem(atPath: SysctlUndoLog.path(labDirectory: target.labDirectory)) }
        if interrupted { return .interrupted(rolledBack: failures.isEmpty) }
        return .applyFailed(step: step, cause: cause, rolledBack: failures.isEmpty, restoreFailures: failures)
    }

    /// Restores what the lab's undo log recorded and removes it. Returns the entries
    /// restored; throws when some could not be (the log stays for another try).
    @discardableResult
    public static func reset(_ target: TuningTarget, host: CommandRunner = NodeSysctls.hostRunner) throws -> [SysctlUndoLog.Entry] {
        guard let log = try SysctlUndoLog.load(labDirectory: target.labDirectory) else { return [] }
        let failures = try SysctlUndoLog.restoreAndRemove(labDirectory: target.labDirectory, nodes: target.nodes, host: host)
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
            let run: CommandRunner? = entry.place == .host ? host
                : (try? node(entry.node, in: target)).map { NodeSysctls.runner(for: $0) }
            if let run {
                switch entry.kind {
                case .sysctl: now = (try? NodeSysctls.probe([entry.key], run: run))?[entry.key]?.value
                case .ipvsTimeouts: now = (try? NodeSysctls.ipvsTimeouts(run: run))?.description
                }
            }
            rows.append(TuningDiffRow(node: entry.node, key: entry.key, found: entry.found, applied: entry.applied, now: now))
        }
        return (log.origin, rows)
    }
}

extension TuningTarget {
    /// Every node of a running lab, and its state directory.
    public init(lab: RunningLab) {
        self.init(nodes: [lab.client, lab.router, lab.director] + lab.reals, labDirectory: lab.state.labDirectory)
    }
}
