import CLiburing
#if canImport(Glibc)
import Glibc
#endif

/// One thread's share of the connections, driven by one io_uring. The loop submits every
/// queued operation and waits in a single `io_uring_submit_and_wait_timeout`, then reaps the
/// completions in batches; per request it allocates nothing and takes one clock reading
/// per batch of completions. Latency ends at the kernel's receive timestamp of the
/// response (SO_TIMESTAMPNS), not at the batch's clock reading.
final class Worker {
    /// What a completion is for; with the connection index (and, for quiet sends, the
    /// socket generation in the top byte) it makes the completion's user data.
    enum Op: UInt64 { case connect = 1, send, recv, cancel, close, quietSend }
    static let bufferSize = 16 * 1024
    /// Pause before reconnecting after a failed connect, so a server that is down is not
    /// hammered in a busy loop.
    static let retryDelayNs: UInt64 = 10_000_000
    /// IOSQE_CQE_SKIP_SUCCESS (a macro over an enum that Swift does not import as a constant).
    static let skipSuccess = UInt8(1 << IOSQE_CQE_SKIP_SUCCESS_BIT)
    static let link = UInt8(1 << IOSQE_IO_LINK_BIT)
    static let bufferSelect = UInt8(1 << IOSQE_BUFFER_SELECT_BIT)
    /// A request that fits one TCP segment on any usual path (MTU 1500).
    static let smallRequest = 1400
    /// The longest a thread waits for a batch of completions before taking fewer.
    static let batchWaitNs: UInt64 = 200_000

    let options: LoadOptions
    let ring: Ring
    let conns: UnsafeMutablePointer<Connection>
    let count: Int
    let buffers: UnsafeMutablePointer<UInt8>
    let request: UnsafeMutablePointer<UInt8>
    let requestLength: Int
    let address: UnsafeMutablePointer<sockaddr_in>
    let isTCP: Bool
    let closeEachRequest: Bool
    /// Requests on open connections are sent without a completion on success (one
    /// completion and one wake-up less per request). Safe because the ring retries short
    /// sends itself (MSG_WAITALL) and a response proves the request arrived; kept for
    /// requests of one segment, where a short send cannot happen in practice anyway.
    let quietSends: Bool
    /// Keep-alive connections keep one multishot receive armed (into provided buffers)
    /// instead of arming a receive per response.
    let multishot: Bool
    let startNs: UInt64
    let endNs: UInt64
    let timeoutNs: UInt64
    /// Open loop: nanoseconds between two requests of one connection; 0 for closed loop.
    let intervalNs: UInt64
    /// The length of a timeline interval (`--interval`), and when the next one begins.
    let timelineIntervalNs: UInt64
    var nextTimelineNs: UInt64
    var result: WorkerResult
    /// The msghdr multishot recvmsg takes its layout from: no name, room for a timestamp.
    let messageHeader: UnsafeMutablePointer<msghdr>
    /// Single-shot receives (`--close`): a msghdr, iovec and control buffer per connection.
    let messages: UnsafeMutablePointer<msghdr>
    let iovecs: UnsafeMutablePointer<iovec>
    let controls: UnsafeMutablePointer<UInt8>
    /// CLOCK_REALTIME minus CLOCK_MONOTONIC, refreshed each batch, to turn the kernel's
    /// receive timestamps into the monotonic clock every other time here is in.
    var realtimeOffsetNs: UInt64 = 0

    var now: UInt64 = 0
    var stopping = false
    /// Connections with a request (or a failed one) in progress.
    var active = 0
    var waiting = 0
    var nextWakeNs: UInt64 = .max

    /// - Parameters:
    ///   - count: connections of this worker.
    ///   - firstIndex: this worker's connections are numbers firstIndex..<firstIndex+count of
    ///     all; open-loop send times are staggered by them.
    init(options: LoadOptions, count: Int, firstIndex: Int, startNs: UInt64) throws {
        self.options = options
        self.count = count
        ring = try Ring(entries: UInt32(min(4096, max(64, Self.nextPowerOfTwo(count * 3)))))
        conns = .allocate(capacity: count)
        conns.initialize(repeating: Connection(), count: count)
        buffers = .allocate(capacity: count * Self.bufferSize)
        let bytes = options.requestBytes
        requestLength = bytes.count
        request = .allocate(capacity: bytes.count)
        request.initialize(from: bytes, count: bytes.count)
        messageHeader = .allocate(capacity: 1)
        messageHeader.initialize(to: msghdr())
        messageHeader.pointee.msg_controllen = Self.controlSpace
        messages = .allocate(capacity: count)
        messages.initialize(repeating: msghdr(), count: count)
        iovecs = .allocate(capacity: count)
        iovecs.initialize(repeating: iovec(), count: count)
        controls = .allocate(capacity: count * Self.controlSpace)
        for i in 0..<count {
            messages[i].msg_iov = iovecs + i
            messages[i].msg_iovlen = 1
            messages[i].msg_control = UnsafeMutableRawPointer(controls + i * Self.controlSpace)
        }
        address = .allocate(capacity: 1)
        address.initialize(to: options.target.socketAddress)
        isTCP = options.target.isTCP
        closeEachRequest = options.close
        quietSends = requestLength <= Self.smallRequest
        multishot = !options.close
            && ring.setUpProvidedBuffers(count: min(4096, max(64, Self.nextPowerOfTwo(count * 2))), size: 8192)
        self.startNs = startNs
        endNs = startNs + UInt64(options.duration * 1e9)
        timeoutNs = UInt64(options.timeout * 1e9)
        timelineIntervalNs = UInt64(options.interval * 1e9)
        nextTimelineNs = startNs + timelineIntervalNs
        result = WorkerResult()
        if let rate = options.rate {
            let interval = Double(options.connections) / rate * 1e9
            intervalNs = UInt64(max(1, interval))
            let step = 1e9 / rate
            for i in 0..<count { conns[i].nextSendNs = startNs + UInt64(Double(firstIndex + i) * step) }
        } else {
            intervalNs = 0
        }
    }

    deinit {
        for i in 0..<count where conns[i].fd >= 0 { close(conns[i].fd) }
        conns.deinitialize(count: count)
        conns.deallocate()
        buffers.deallocate()
        request.deallocate()
        address.deallocate()
        messageHeader.deallocate()
        messages.deallocate()
        iovecs.deallocate()
        controls.deallocate()
    }

    static func nextPowerOfTwo(_ n: Int) -> Int { var p = 1; while p < n { p <<= 1 }; return p }

    @inline(__always) static func clock(_ id: clockid_t = CLOCK_MONOTONIC) -> UInt64 {
        var ts = timespec()
        clock_gettime(id, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Runs until the duration is over and every request in flight has finished or timed out.
    func run() {
        now = Self.clock()
        if startNs > now {
            var delay = timespec(tv_sec: Int((startNs - now) / 1_000_000_000), tv_nsec: Int((startNs - now) % 1_000_000_000))
            nanosleep(&delay, nil)
        }
        now = Self.clock()
        if now >= nextTimelineNs { nextInterval() }
        for i in 0..<count {
            if intervalNs == 0 { begin(i) } else { park(i, until: conns[i].nextSendNs) }
        }
        let tickNs = min(timeoutNs / 4, 50_000_000)
        var nextScanNs = now + tickNs
        let hardStopNs = endNs + timeoutNs + 1_000_000_000
        let cqes = UnsafeMutablePointer<UnsafeMutablePointer<io_uring_cqe>?>.allocate(capacity: 256)
        defer { cqes.deallocate() }
        var ts = __kernel_timespec()
        var cqe: UnsafeMutablePointer<io_uring_cqe>?
        while true {
            if !stopping, now >= endNs { stop() }
            if stopping, active == 0 || now >= hardStopNs { break }
            if waiting > 0, now >= nextWakeNs { wakeDue() }
            if now >= nextScanNs {
                scanTimeouts()
                nextScanNs = now + tickNs
            }
            var target = nextScanNs
            if !stopping { target = min(target, endNs) }
            if waiting > 0 { target = min(target, nextWakeNs) }
            let waitNs = target > now ? target - now : 0
            ts.tv_sec = Int64(waitNs / 1_000_000_000)
            ts.tv_nsec = Int64(waitNs % 1_000_000_000)
            // With kernel receive timestamps the thread may sleep until a few completions are
            // ready (at most `batchWaitNs`) without blurring latencies: fewer wake-ups per request.
            // Only for keep-alive: with a connection per request, completions come thick
            // anyway and waiting measured no gain.
            var waitFor: UInt32 = 1
            if multishot, active >= 8 {
                waitFor = UInt32(min(8, active / 4))
                if waitNs > Self.batchWaitNs {
                    ts.tv_sec = 0
                    ts.tv_nsec = Int64(Self.batchWaitNs)
                }
            }
            _ = io_uring_submit_and_wait_timeout(ring.ring, &cqe, waitFor, &ts, nil)
            now = Self.clock()
            realtimeOffsetNs = Self.clock(CLOCK_REALTIME) &- now
            if now >= nextTimelineNs { nextInterval() }
            while true {
                let n = Int(io_uring_peek_batch_cqe(ring.ring, cqes, 256))
                if n == 0 { break }
                for k in 0..<n {
                    let c = cqes[k]!
                    handle(c.pointee.user_data, c.pointee.res, c.pointee.flags)
                }
                io_uring_cq_advance(ring.ring, UInt32(n))
                ring.publishRecycled()
            }
        }
        result.endNs = now
        result.endInterval(startingNext: nil)
    }

    /// The batch about to be handled belongs to a later timeline interval than the last one.
    private func nextInterval() {
        let index = IntervalRecord.index(at: now, start: startNs, length: timelineIntervalNs)
        result.endInterval(startingNext: index)
        nextTimelineNs = startNs + UInt64(index + 1) * timelineIntervalNs
    }

    private func stop() {
        stopping = true
        for i in 0..<count where conns[i].phase == .waiting { conns[i].phase = .idle }
        waiting = 0
    }

    private func wakeDue() {
        nextWakeNs = .max
        for i in 0..<count where conns[i].phase == .waiting {
            if conns[i].wakeNs <= now {
                conns[i].phase = .idle
                waiting -= 1
                begin(i)
            } else {
                nextWakeNs = min(nextWakeNs, conns[i].wakeNs)
            }
        }
    }

    private func scanTimeouts() {
        for i in 0..<count where !conns[i].failed && (conns[i].phase == .connecting || conns[i].phase == .requesting) {
            if now &- conns[i].opStartNs > timeoutNs { fail(i, \.timeout) }
        }
    }

    @inline(__always)
    func park(_ i: Int, until wakeNs: UInt64) {
        conns[i].phase = .waiting
        conns[i].wakeNs = wakeNs
        waiting += 1
        nextWakeNs = min(nextWakeNs, wakeNs)
    }

    @inline(__always)
    func userData(_ i: Int, _ op: Op) -> UInt64 { UInt64(i) << 3 | op.rawValue }

    @inline(__always)
    func userData(_ i: Int, quietSendOf generation: UInt8) -> UInt64 {
        UInt64(generation) << 56 | UInt64(i) << 3 | Op.quietSend.rawValue
    }
}
