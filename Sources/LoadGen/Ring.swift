import CLiburing
import SystemKit
#if canImport(Glibc)
import Glibc
#endif

/// One io_uring per worker thread. Created on the thread that uses it: the ring asks the
/// kernel for single-issuer, deferred task-running mode (completions are processed only
/// when the thread waits, in one batch), and falls back to plainer setups on older kernels.
final class Ring {
    let ring: UnsafeMutablePointer<io_uring>

    init(entries: UInt32) throws {
        ring = .allocate(capacity: 1)
        ring.initialize(to: io_uring())
        let attempts: [UInt32] = [
            UInt32(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN),
            UInt32(IORING_SETUP_COOP_TASKRUN),
            0,
        ]
        var result: Int32 = -EINVAL
        for flags in attempts {
            var params = io_uring_params()
            params.flags = flags | UInt32(IORING_SETUP_CQSIZE)
            params.cq_entries = entries * 4
            result = io_uring_queue_init_params(entries, ring, &params)
            if result != -EINVAL { break }
        }
        if result < 0 {
            ring.deallocate()
            throw RuntimeFailure("io_uring is unavailable (io_uring_queue_init: \(String(cString: strerror(-result)))): "
                + "the load generator needs it; /proc/sys/kernel/io_uring_disabled must be 0 and no seccomp filter may block it")
        }
    }

    /// A free submission entry; submits the queued ones first if the queue is full.
    @inline(__always)
    func sqe() -> UnsafeMutablePointer<io_uring_sqe> {
        if let s = io_uring_get_sqe(ring) { return s }
        io_uring_submit(ring)
        return io_uring_get_sqe(ring)!
    }

    deinit {
        io_uring_queue_exit(ring)
        ring.deallocate()
    }
}
