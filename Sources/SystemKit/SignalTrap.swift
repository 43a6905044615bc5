import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Raised once SIGINT, SIGTERM or SIGHUP arrived, after the operation stopped and ran its
/// cleanup. `left` names what that cleanup could not remove, so the message never claims
/// "cleaned up" after a teardown step failed.
public struct Interrupted: UserFacingError, Equatable {
    /// The first signal that arrived.
    public let signal: Int32
    /// What is still on the host (a lab, a tuning) because a cleanup step failed; empty
    /// when everything built was removed.
    public let left: [String]

    public init(signal: Int32 = SignalTrap.signal ?? SIGINT, left: [String] = []) {
        self.signal = signal
        self.left = left
    }

    public var description: String {
        let name = SignalTrap.name(of: signal)
        guard !left.isEmpty else { return "interrupted by \(name): cleaned up what was built" }
        return "interrupted by \(name), but cleanup failed: \(left.joined(separator: "; ")): "
            + "remove what is left with `lvsbench lab down --all`"
    }

    /// The signal's own code when everything was cleaned up; 1 (failure) when something is left.
    public var exitStatus: ExitStatus { left.isEmpty ? ExitStatus.interrupted(by: signal) : .failure }
}

/// Turns SIGINT, SIGTERM and SIGHUP (a dropped ssh session) into a flag that long
/// operations poll between steps (`check()`), so cleanup runs on the thread that knows what
/// it built rather than in a signal handler.
///
/// Only the first signal counts. Every later one is ignored, with a notice on stderr, so a
/// second Ctrl-C cannot cut a teardown short and leave half a lab: cleanup runs to its end
/// and reports what it could not remove. Ctrl-\ (SIGQUIT) or SIGKILL still end the process
/// at once; `lvsbench lab down --all` then removes what is left.
///
/// SIGPIPE is ignored too: after a hang-up the terminal (or a `| tee` that died with it) is
/// gone, and a write to it must fail quietly (see `Console`) instead of killing the process
/// in the middle of a teardown.
public enum SignalTrap {
    /// The signals that stop a long operation and start its cleanup.
    public static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// The first signal's number, 0 until one arrives. Written only by the handler.
    nonisolated(unsafe) private static var first: sig_atomic_t = 0
    nonisolated(unsafe) private static var installed = false
    /// Set by `shield()`: every signal, the first too, is only noticed.
    nonisolated(unsafe) private static var shielded: sig_atomic_t = 0
    /// The notice for a repeated signal, allocated before the handler can run: a signal
    /// handler may only call async-signal-safe functions (write(2)), never allocate.
    nonisolated(unsafe) private static var notice: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private static var noticeLength = 0

    /// Installs the handlers (idempotent). Call before the work that must be cleaned up.
    public static func install() {
        guard !installed else { return }
        installed = true
        let text = "lvsbench: still cleaning up; this signal is ignored "
            + "(Ctrl-\\ or SIGKILL abandons the cleanup: then run `lvsbench lab down --all`)\n"
        notice = strdup(text)
        noticeLength = text.utf8.count
        // Touch the handler's globals here: the handler must never be the first to use one,
        // which would run Swift's lazy global initialisation inside a signal handler.
        first = 0
        shielded = 0
        Glibc.signal(SIGPIPE, SIG_IGN)
        for sig in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in SignalTrap.handle(sig) }
            sigemptyset(&action.sa_mask)
            // The other trapped signals wait while the handler runs, so a second one cannot
            // interrupt it between reading and writing `first`.
            for other in signals { sigaddset(&action.sa_mask, other) }
            action.sa_flags = SA_RESTART
            sigaction(sig, &action, nil)
        }
    }

    /// Installs the handlers for a command that is itself a cleanup (`lab down`): a signal
    /// must not cut it short, so every signal is ignored with the notice on stderr.
    public static func shield() {
        install()
        shielded = 1
    }

    private static func handle(_ sig: Int32) {
        if first == 0 && shielded == 0 {
            first = sig
        } else if let notice {
            _ = write(2, notice, noticeLength)
        }
    }

    /// Whether a signal arrived.
    public static var interrupted: Bool { first != 0 }

    /// The first signal that arrived, if any.
    public static var signal: Int32? { first == 0 ? nil : first }

    /// Throws `Interrupted` once a signal arrived.
    public static func check() throws {
        if interrupted { throw Interrupted() }
    }

    /// "SIGINT", "SIGTERM", "SIGHUP", else "signal N".
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(signal)"
        }
    }
}
