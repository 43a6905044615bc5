import Foundation
import SystemKit

/// A director that crashes: its user-mode Linux guest is killed from the host, so nothing in
/// it (keepalived, the sync daemon, the kernel's TCP stack) gets to say goodbye, as when a
/// director loses power. The state file stays true to what runs, so `lab down` afterwards
/// stops the rest of the lab as usual.
extension RunningLab {
    /// The label of director `node`'s guest in the lab's state ("uml director").
    public static func guestLabel(_ node: String) -> String { "uml \(node)" }

    /// Kills director `node`'s (`director` or `director2`) guest: its process group is stopped
    /// (SIGSTOP, so the guest sends not one more packet) and killed (SIGKILL), then its record
    /// leaves the state. Returns the pid it had. A lab whose directors are not uml guests has
    /// nothing to crash this way.
    @discardableResult
    public func crashGuest(_ node: String) throws -> Int32 {
        guard state.directorHost == .uml else {
            throw InvalidInput("crashing \(node) kills its user-mode Linux guest, and lab \(state.name)'s directors are "
                               + "namespaces: build the lab with --director uml")
        }
        var updated = try LabStore.load(state.name)
        let label = Self.guestLabel(node)
        guard let record = updated.processes.first(where: { $0.label == label }), DetachedProcess.isAlive(record.pid) else {
            throw InvalidInput("lab \(state.name) has no running \(label) to crash")
        }
        guard DetachedProcess.stop(record.pid, marker: record.marker, group: record.group) else {
            throw RuntimeFailure("could not kill \(label) (pid \(record.pid)) of lab \(state.name): "
                                 + "it is still recorded, `lvsbench lab down --name \(state.name)` retries")
        }
        updated.processes.removeAll { $0 == record }
        try LabStore.save(updated)
        return record.pid
    }
}
