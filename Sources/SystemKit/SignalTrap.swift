import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Raised by `SignalTrap.check()` after SIGINT or SIGTERM, so long operations stop at the
/// next step and run their own cleanup.
public struct Interrupted: UserFacingError, Equatable {
    public init() {}
    public var description: String { "interrupted: cleaned up what was built" }
    public var exitStatus: ExitStatus { .interrupted }
}

/// Turns SIGINT/SIGTERM into a flag that long operations poll between steps (`check()`),
/// so cleanup runs on the thread that knows what it built rather than in a signal handler.
public enum SignalTrap {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0
    nonisolated(unsafe) private static var installed = false

    /// Installs the handlers (idempotent). Call before the work that must be cleaned up.
    public static func install() {
        guard !installed else { return }
        installed = true
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in SignalTrap.flag = 1 }
        }
    }

    public static var interrupted: Bool { flag != 0 }

    /// Throws `Interrupted` once a signal arrived.
    public static func check() throws {
        if interrupted { throw Interrupted() }
    }
}
