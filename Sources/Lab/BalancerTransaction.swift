import Balancing
import Foundation
import SystemKit

/// Edits of a live director's balancer made all or nothing: each step carries the change
/// that puts back what it changed, and a failure (or an interrupt) midway runs those for the
/// steps already done, last first, so the table is again what it was before. `lab set`
/// changes two services and every real one command at a time; without this a refusal
/// halfway left the table half changed and different from what `lab status` shows.
struct BalancerTransaction {
    struct Step {
        /// "scheduler of 198.18.1.100:80", for messages.
        var what: String
        var apply: BalancerChange
        /// nil when there is nothing to put back (the step cannot have changed anything).
        var undo: BalancerChange?
    }

    var steps: [Step] = []

    /// Why a transaction stopped, and whether the table is back as it was.
    struct Failed: UserFacingError {
        var step: String
        var cause: String
        var undoFailures: [String]
        var interrupted: Bool
        var description: String {
            let what = interrupted ? "interrupted before \(step)" : "\(step) failed (\(cause))"
            guard undoFailures.isEmpty else {
                return "\(what), and putting back the earlier changes failed (\(undoFailures.joined(separator: "; "))): "
                    + "the director's table differs from `lvsbench lab status`; set it again with `lvsbench lab set`"
            }
            return "\(what): every earlier change was put back; nothing changed"
        }
        var exitStatus: ExitStatus { interrupted ? .interrupted : .failure }
    }

    /// Makes every step on `balancer` in order; on the first failure, or when `interrupted()`
    /// turns true between steps, undoes the steps done and throws `Failed`.
    func run(on balancer: any Balancer, interrupted: () -> Bool = { false }) throws {
        var done: [Step] = []
        for step in steps {
            if interrupted() { throw rollBack(done, on: balancer, step: step.what, cause: "", interrupted: true) }
            do {
                try balancer.apply(step.apply)
            } catch {
                throw rollBack(done, on: balancer, step: step.what, cause: "\(error)", interrupted: false)
            }
            done.append(step)
        }
    }

    func rollBack(_ done: [Step], on balancer: any Balancer, step: String, cause: String, interrupted: Bool) -> Failed {
        var failures: [String] = []
        for step in done.reversed() {
            guard let undo = step.undo else { continue }
            do { try balancer.apply(undo) } catch { failures.append("\(step.what): \(error)") }
        }
        return Failed(step: step, cause: cause, undoFailures: failures, interrupted: interrupted)
    }
}
