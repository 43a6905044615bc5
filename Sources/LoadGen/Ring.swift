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

    /// The buffer group of the provided buffers that multishot receives take from.
    static let bufferGroup: UInt16 = 1
    private var bufferRing: UnsafeMutablePointer<io_uring_buf_ring>?
    private var bufferRingBytes = 0
    private var bufferMemory: UnsafeMutablePointer<UInt8>?
    private(set) var bufferSize = 0
    private var bufferMask: Int32 = 0
    private var recycled: Int32 = 0

    /// Registers `count` (a power of two) buffers of `size` bytes for multishot receives.
    /// Returns false on kernels without buffer rings (before 5.19): receives then stay single-shot.
    func setUpProvidedBuffers(count: Int, size: Int) -> Bool {
        let bytes = count * MemoryLayout<io_uring_buf>.stride
        guard let memory = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              memory != MAP_FAILED else { return false }
        var registration = io_uring_buf_reg()
        registration.ring_addr = UInt64(UInt(bitPattern: memory))
        registration.ring_entries = UInt32(count)
        registration.bgid = Self.bufferGroup
        guard io_uring_register_buf_ring(ring, &registration, 0) == 0 else {
            munmap(memory, bytes)
            return false
        }
        let br = memory.assumingMemoryBound(to: io_uring_buf_ring.self)
        bufferRing = br
        bufferRingBytes = bytes
        bufferSize = size
        bufferMask = io_uring_buf_ring_mask(UInt32(count))
        let data = UnsafeMutablePointer<UInt8>.allocate(capacity: count * size)
        bufferMemory = data
        io_uring_buf_ring_init(br)
        for b in 0..<count {
            io_uring_buf_ring_add(br, data + b * size, UInt32(size), UInt16(b), bufferMask, Int32(b))
        }
        io_uring_buf_ring_advance(br, Int32(count))
        return true
    }

    /// The provided buffer with id `id`.
    @inline(__always)
    func buffer(_ id: Int) -> UnsafeMutablePointer<UInt8> { bufferMemory! + id * bufferSize }

    /// Gives buffer `id` back to the kernel (visible after `publishRecycled`).
    @inline(__always)
    func recycle(_ id: Int) {
        io_uring_buf_ring_add(bufferRing!, buffer(id), UInt32(bufferSize), UInt16(id), bufferMask, recycled)
        recycled += 1
    }

    @inline(__always)
    func publishRecycled() {
        guard recycled > 0 else { return }
        io_uring_buf_ring_advance(bufferRing!, recycled)
        recycled = 0
    }

    deinit {
        // Exit first: the kernel may still own provided buffers until then.
        io_uring_queue_exit(ring)
        ring.deallocate()
        if let bufferRing { munmap(bufferRing, bufferRingBytes) }
        bufferMemory?.deallocate()
    }
}
