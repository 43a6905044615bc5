import Foundation
import SystemKit
#if canImport(Glibc)
import Glibc
#endif

/// Runs a piece of work inside a lab node's network namespace without a process: on a
/// short-lived thread that enters the namespace with setns(2), so this process's other
/// threads keep theirs. What the work opens there (a socket, /proc/thread-self/net files)
/// stays in that namespace after the thread ends.
enum NamespaceThread {
    /// `body`'s result, computed on a thread inside `namespace` (an `ip netns` name); throws
    /// when the namespace cannot be entered, or what `body` throws.
    static func run<T>(in namespace: String, _ body: @escaping () throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let thread = Thread {
            defer { outcome.done.signal() }
            outcome.result = Result {
                try enter(namespace)
                return try body()
            }
        }
        thread.start()
        outcome.done.wait()
        return try outcome.result.get()
    }

    /// Moves the calling thread into `namespace`. Only for a thread that ends afterwards.
    private static func enter(_ namespace: String) throws {
        let nsfd = open("/run/netns/" + namespace, O_RDONLY | O_CLOEXEC)
        guard nsfd >= 0 else { throw RuntimeFailure("namespace \(namespace) not found") }
        defer { Glibc.close(nsfd) }
        guard c_setns(nsfd, 0x4000_0000 /* CLONE_NEWNET */) == 0 else {
            throw RuntimeFailure("setns \(namespace): \(String(cString: strerror(errno)))")
        }
    }
}

/// The namespace thread's result, handed to the caller waiting for it.
private final class Outcome<T>: @unchecked Sendable {
    var result: Result<T, Error> = .failure(RuntimeFailure("the namespace thread did not run"))
    let done = DispatchSemaphore(value: 0)
}

/// setns(2): Glibc's module map hides it (it needs _GNU_SOURCE).
@_silgen_name("setns")
func c_setns(_ fd: Int32, _ nstype: Int32) -> Int32
