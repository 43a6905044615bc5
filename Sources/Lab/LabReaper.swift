import Foundation
import SystemKit

/// The parts of `lab up` and `lab down` that keep labs apart: claiming a lab's name, telling
/// whether a lab's owner still runs, and removing a lab whose state cannot be read.
extension LabEngine {
    /// Creates the lab's directory, failing when it exists: only its final component is
    /// created (mkdir, no intermediates), so of two `lab up --name x` at once exactly one
    /// gets it, and the other stops before building anything.
    static func claimDirectory(_ name: String) throws {
        let dir = LabEnvironment.labDirectory(name)
        try PrivateDirectory.create(LabEnvironment.labsDirectory, from: LabEnvironment.runDirectory)
        guard mkdir(dir, 0o700) == 0 else {
            if errno == EEXIST {
                throw InvalidInput("lab name '\(name)' is already in use: pick another --name or run `lvsbench lab down --name \(name)`")
            }
            throw RuntimeFailure("cannot create \(dir): \(String(cString: strerror(errno)))")
        }
    }

    /// The pid of lab `name`'s owner when it still runs, from its state or, when that does
    /// not decode, from what can be salvaged of it.
    static func liveOwner(ofLab name: String) -> Int32? {
        do { return try LabStore.load(name).liveOwner } catch {
            guard let data = FileManager.default.contents(atPath: LabEnvironment.statePath(name)) else { return nil }
            let salvaged = SalvagedLabState.scan(data, name: name, prefix: LabEnvironment.prefix)
            return salvaged.ownerPid.flatMap { LabState.liveOwner(pid: $0, startTime: salvaged.ownerStartTime) }
        }
    }

    /// Removes lab `name`, whose state is missing, unreadable or foreign, by what can be
    /// found: the processes salvaged from the file (each checked against its marker), its
    /// guests by exact `umid=`, its namespaces by name (`<prefix>-<name>-<node>`) and the
    /// processes in them started from this run directory. A tuning undo log is kept (the
    /// host-wide values in it are still changed) and so is the directory holding it. Throws
    /// a one-line account of what was removed and what is left, unless the state was merely
    /// missing and nothing was found.
    static func reapByName(_ name: String, problem: LabStateError) throws {
        let dir = LabEnvironment.labDirectory(name)
        let data = FileManager.default.contents(atPath: LabEnvironment.statePath(name)) ?? Data()
        let salvaged = SalvagedLabState.scan(data, name: name, prefix: LabEnvironment.prefix)
        let prefixes = Set([LabEnvironment.prefix, salvaged.prefix].compactMap { $0 }).sorted()
        var stopped = 0
        var left: [String] = []
        for p in salvaged.processes.reversed() where DetachedProcess.matches(p.pid, marker: p.marker) {
            if DetachedProcess.stop(p.pid, marker: p.marker, group: p.group) { stopped += 1 } else {
                left.append("\(p.label) (pid \(p.pid)): kill it by hand")
            }
        }
        for umid in prefixes.flatMap({ LabState.guestMarkers(prefix: $0, lab: name) }) {
            for pid in allPids() where pid != getpid() && DetachedProcess.matches(pid, marker: umid) {
                if DetachedProcess.stop(pid, marker: umid, group: getpgid(pid) == pid) { stopped += 1 } else {
                    left.append("guest process \(pid): kill it by hand")
                }
            }
        }
        let namespaces = (try listNamespaces()).filter { ns in
            prefixes.contains { LabState.namespace(ns, belongsTo: name, prefix: $0) }
        }
        var removedNamespaces = 0
        for ns in namespaces.reversed() {
            let processes = stopProcesses(inNamespace: ns)
            stopped += processes.found.count - processes.left.count
            left += processes.left.map { "process \($0) in \(ns): kill it by hand" }
            let r = try ProcessRunner.run(["ip", "netns", "delete", ns], timeout: 30)
            if r.succeeded || r.stderr.contains("No such file") { removedNamespaces += 1 } else {
                left.append("namespace \(ns): `ip netns delete \(ns)`")
            }
        }
        let undoLog = SysctlUndoLog.path(labDirectory: dir)
        let keepUndoLog = FileManager.default.fileExists(atPath: undoLog)
        if keepUndoLog {
            left.append(undoLogAdvice(labDirectory: dir))
        } else if left.isEmpty {
            try? FileManager.default.removeItem(atPath: dir)
        }
        let foundNothing = stopped == 0 && removedNamespaces == 0
        if problem.kind == .missing && foundNothing && left.isEmpty { return }
        let what: String
        switch problem.kind {
        case .missing: what = "its state file \(problem.path) is missing"
        case .unreadable: what = "its state file \(problem.path) is unreadable (\(problem.reason))"
        case .foreign(let version):
            what = "its state file \(problem.path) has format version \(version) (this lvsbench reads up to \(LabState.currentFormatVersion))"
        }
        var message = "lab \(name): \(what); removed what was found by its name: "
            + "\(removedNamespaces) namespace\(removedNamespaces == 1 ? "" : "s"), \(stopped) process\(stopped == 1 ? "" : "es")"
        if left.isEmpty {
            message += "; nothing else of it can be found"
        } else {
            message += "; left: " + left.joined(separator: "; ")
        }
        throw RuntimeFailure(message)
    }

    /// What to do about a tuning undo log kept in `labDirectory` after its lab's nodes are
    /// gone: the host-wide values are the only ones still changed.
    static func undoLogAdvice(labDirectory: String) -> String {
        let path = SysctlUndoLog.path(labDirectory: labDirectory)
        guard let log = try? SysctlUndoLog.load(labDirectory: labDirectory) else {
            return "the tuning undo log \(path), which is unreadable: restore the host-wide values it lists by hand, then `rm -r \(labDirectory)`"
        }
        let host = log.entries.filter { $0.place == .host }.reversed()
        guard !host.isEmpty else {
            return "the tuning undo log \(path) (no host-wide values; the lab's nodes are gone): `rm -r \(labDirectory)`"
        }
        let commands = host.map { SysctlUndoLog.sysctlCommand(key: $0.key, value: $0.found).joined(separator: " ") }
        return "the tuning undo log \(path), whose host-wide values are still changed: restore them with `"
            + commands.joined(separator: "; ") + "`, then `rm -r \(labDirectory)`"
    }

    /// Removes what `directory` holds but `kept` (a path in it).
    static func removeEverything(in directory: String, except kept: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for entry in entries where directory + "/" + entry != kept {
            try? FileManager.default.removeItem(atPath: directory + "/" + entry)
        }
    }

    static func allPids() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init)
    }
}
