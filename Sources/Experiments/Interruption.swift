import Foundation
import SystemKit
#if canImport(Glibc)
import Glibc
#endif

/// The run was stopped by Ctrl-C or SIGTERM; cleanup has run and the result is marked
/// incomplete.
public struct Interrupted: UserFacingError, Equatable {
    public let signal: Int32
    public init(signal: Int32) { self.signal = signal }
    public var description: String {
        "interrupted by signal \(signal): load stopped, labs torn down, tuning restored; the result is marked incomplete"
    }
    public var exitStatus: ExitStatus { .interrupted }
}

/// Turns SIGINT/SIGTERM into a flag the runner checks between steps, and stops the child
/// process currently measuring (the load generator) at once, so a cell never has to run to
/// its end before cleanup starts. The default handlers are restored by `stop()`.
public final class Interruption: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    private var child: pid_t?
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    /// Installs the handlers (call once, on the main thread, before the first lab is built).
    public func start() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.deliver(sig) }
            source.resume()
            sources.append(source)
        }
    }

    public func stop() {
        sources.forEach { $0.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// Marks the run as interrupted, as if by `sig`; used by the signal handlers and tests.
    public func deliver(_ sig: Int32) {
        lock.lock()
        received = received ?? sig
        let pid = child
        lock.unlock()
        if let pid { kill(pid, SIGTERM) }
    }

    public var signalReceived: Int32? {
        lock.lock(); defer { lock.unlock() }
        return received
    }

    /// Throws `Interrupted` once a signal has arrived.
    public func check() throws {
        if let sig = signalReceived { throw Interrupted(signal: sig) }
    }

    /// Registers the child to stop on a signal (nil when it has ended).
    public func track(child pid: pid_t?) {
        lock.lock()
        child = pid
        let already = received
        lock.unlock()
        if let pid, already != nil { kill(pid, SIGTERM) }
    }
}
