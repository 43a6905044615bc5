import Foundation

/// An operation failed and the cleanup after it failed too: the message says both, and
/// what is still on the host, so a teardown error is never swallowed behind the first one.
public struct CleanupFailed: UserFacingError {
    /// What stopped the operation.
    public let cause: Error
    /// What the cleanup could not remove, one entry per failed step.
    public let left: [String]

    public init(cause: Error, left: [String]) {
        self.cause = cause
        self.left = left
    }

    public var description: String {
        "\(cause); cleanup failed too: \(left.joined(separator: "; ")): remove what is left with `lvsbench lab down --all`"
    }

    public var exitStatus: ExitStatus { .failure }

    /// Runs one cleanup step; returns its error's message, or nil when it worked.
    public static func attempt(_ step: () throws -> Void) -> String? {
        do {
            try step()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The error to report after `cause` stopped an operation and its cleanup left `left`:
    /// an interruption (by a signal, noticed through `interrupted` or because `cause` is one)
    /// stays `Interrupted` and carries what is left; any other cause is returned as it was
    /// when nothing is left, else wrapped with the cleanup's failures.
    public static func outcome(of cause: Error, left: [String], interrupted: Bool) -> Error {
        if let already = cause as? Interrupted {
            return Interrupted(signal: already.signal, left: already.left + left)
        }
        if let earlier = cause as? CleanupFailed {
            return outcome(of: earlier.cause, left: earlier.left + left, interrupted: interrupted)
        }
        if interrupted || SignalTrap.interrupted { return Interrupted(left: left) }
        return left.isEmpty ? cause : CleanupFailed(cause: cause, left: left)
    }
}
