import Foundation
import SystemKit

/// Daemons that code outside this module starts in a running lab (keepalived in a namespace
/// director): recorded in the state before they start, as `lab up` records its own, so
/// `lab down` ends them by pid and marker whatever the caller left.
extension RunningLab {
    /// Spawns argv on the host (`NamespaceNode.wrap` runs it in a node) in a session of its
    /// own, output to `log`; `marker` must be a path in the lab's directory that its command
    /// line holds (`lab down` checks it before signalling). Returns its pid.
    public func startRecorded(_ argv: [String], label: String, marker: String, log: String) throws -> Int32 {
        guard marker.hasPrefix(state.labDirectory + "/") else {
            throw InvalidInput("marker '\(marker)' of \(label) is not in lab \(state.name)'s directory \(state.labDirectory)")
        }
        var updated = try LabStore.load(state.name)
        try LabBuilder.spawn(argv, label: label, marker: marker, log: log, into: &updated)
        return updated.processes.last!.pid
    }

    /// Ends the recorded process `label`: SIGTERM first, so it can undo what it set up, then,
    /// after `grace` seconds, SIGKILL to it and its process group; its record leaves the
    /// state once it is gone.
    public func stopRecorded(label: String, grace: Double = 5) throws {
        var updated = try LabStore.load(state.name)
        guard let record = updated.processes.first(where: { $0.label == label }) else { return }
        if DetachedProcess.matches(record.pid, marker: record.marker) {
            kill(record.pid, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while DetachedProcess.isAlive(record.pid) && Date() < deadline { usleep(20_000) }
        }
        guard DetachedProcess.stop(record.pid, marker: record.marker, group: record.group) else {
            throw RuntimeFailure("could not stop \(label) (pid \(record.pid)) of lab \(state.name): "
                                 + "it is still recorded, `lvsbench lab down --name \(state.name)` retries")
        }
        updated.processes.removeAll { $0 == record }
        try LabStore.save(updated)
    }
}
