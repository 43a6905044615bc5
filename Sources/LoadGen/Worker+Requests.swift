import CLiburing
#if canImport(Glibc)
import Glibc
#endif

/// The per-connection state machine: begin a request, react to each completion, finish or
/// fail it, and start the next one.
extension Worker {
    /// Starts a request on connection `i`, opening the socket first if it has none.
    func begin(_ i: Int) {
        let c = conns + i
        c.pointee.startNs = intervalNs == 0 ? now : c.pointee.nextSendNs
        c.pointee.opStartNs = now
        c.pointee.responseDone = false
        c.pointee.mustClose = false
        c.pointee.sent = 0
        c.pointee.carry = 0
        c.pointee.arrivalNs = 0
        if isTCP { c.pointee.tcp = TCPResponseParser(responseSize: options.responseSize) } else { c.pointee.http.reset() }
        active += 1
        if c.pointee.fd >= 0 {
            c.pointee.phase = .requesting
            if quietSends { submitQuietSend(i) } else { submitSend(i) }
            if !multishot { submitRecv(i) } else if !c.pointee.recvArmed { armRecv(i) }
            return
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            c.pointee.phase = .connecting
            c.pointee.failed = true
            countFailure(i, \.connect)
            settle(i)
            return
        }
        // Nagle can only hold back a request that follows unacknowledged data: never the one
        // request of a fresh connection when it fits a segment, so save the system call there.
        if !closeEachRequest || requestLength > Self.smallRequest {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        enableTimestamps(fd)
        c.pointee.fd = fd
        c.pointee.phase = .connecting
        result.connectionsOpened &+= 1
        // Connect and send (and the receive, when single-shot) go out linked in one
        // submission: one trip through the ring per new connection instead of two. A failed
        // connect cancels the rest. A multishot receive is armed when the connect completes.
        let sqe = ring.sqe()
        address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            io_uring_prep_connect(sqe, fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
        io_uring_sqe_set_data64(sqe, userData(i, .connect))
        sqe.pointee.flags |= Worker.link
        c.pointee.pending += 1
        submitSend(i, linked: !multishot)
        if !multishot { submitRecv(i) }
    }

    @inline(__always)
    private func submitSend(_ i: Int, linked: Bool = false) {
        let sqe = ring.sqe()
        let sent = conns[i].sent
        // MSG_WAITALL: the ring retries a short send itself, so a link is not broken by one.
        io_uring_prep_send(sqe, conns[i].fd, request + sent, requestLength - sent, Int32(MSG_NOSIGNAL | MSG_WAITALL))
        io_uring_sqe_set_data64(sqe, userData(i, .send))
        if linked { sqe.pointee.flags |= Worker.link }
        conns[i].pending += 1
        conns[i].sending = true
    }

    /// A send whose completion comes only if it fails (see `quietSends`).
    @inline(__always)
    private func submitQuietSend(_ i: Int) {
        let sqe = ring.sqe()
        io_uring_prep_send(sqe, conns[i].fd, request, requestLength, Int32(MSG_NOSIGNAL | MSG_WAITALL))
        io_uring_sqe_set_data64(sqe, userData(i, quietSendOf: conns[i].generation))
        sqe.pointee.flags |= Worker.skipSuccess
        conns[i].sent = requestLength
        result.bytesSent &+= UInt64(requestLength)
    }

    @inline(__always)
    private func submitRecv(_ i: Int) {
        let sqe = ring.sqe()
        let carry = conns[i].carry
        iovecs[i].iov_base = UnsafeMutableRawPointer(buffers + i * Self.bufferSize + carry)
        iovecs[i].iov_len = Self.bufferSize - carry
        messages[i].msg_controllen = Self.controlSpace
        UnsafeMutableRawPointer(controls + i * Self.controlSpace).storeBytes(of: 0, as: Int.self)
        io_uring_prep_recvmsg(sqe, conns[i].fd, messages + i, 0)
        // The answer to a request just sent is not there yet: wait for readiness at once
        // instead of first trying a receive that must fail.
        if carry == 0 { sqe.pointee.ioprio |= UInt16(IORING_RECVSEND_POLL_FIRST) }
        io_uring_sqe_set_data64(sqe, userData(i, .recv))
        conns[i].pending += 1
    }

    /// Handles one completion.
    @inline(__always)
    func handle(_ data: UInt64, _ res: Int32, _ flags: UInt32) {
        guard let op = Op(rawValue: data & 7), op != .cancel, op != .close else { return }
        let i = Int((data & 0x00ff_ffff_ffff_ffff) >> 3)
        if op == .recv, multishot {
            receivedMultishot(i, res, flags)
            return
        }
        if op == .quietSend {
            // Only failures (or a short send) complete; count one if it is about this socket.
            if UInt8(data >> 56) == conns[i].generation, !conns[i].failed, !conns[i].retiring { fail(i, \.write) }
            return
        }
        let c = conns + i
        c.pointee.pending -= 1
        if op == .send { c.pointee.sending = false }
        if c.pointee.failed || c.pointee.retiring { settle(i); return }
        switch op {
        case .connect:
            if res < 0 { fail(i, \.connect); return }
            c.pointee.phase = .requesting
            if multishot { armRecv(i) }
        case .send:
            if res < 0 { fail(i, \.write); return }
            c.pointee.sent += Int(res)
            result.bytesSent &+= UInt64(res)
            if c.pointee.sent < requestLength { submitSend(i) } else if c.pointee.responseDone { finish(i) }
        case .recv:
            received(i, res)
        default:
            break
        }
    }

    @inline(__always)
    private func received(_ i: Int, _ res: Int32) {
        let c = conns + i
        if res <= 0 {
            endOfStream(i, res)
            return
        }
        result.bytesReceived &+= UInt64(res)
        noteArrival(i, UnsafeRawPointer(controls + i * Self.controlSpace).assumingMemoryBound(to: cmsghdr.self))
        let base = buffers + i * Self.bufferSize
        let total = c.pointee.carry + Int(res)
        guard let consumed = parse(i, base, total) else { return }
        let left = total - consumed
        if left > 0, consumed > 0 { memmove(base, base + consumed, left) }
        guard left < Self.bufferSize else { fail(i, \.read); return }
        c.pointee.carry = left
        submitRecv(i)
    }

    /// A receive ended without data: an error, or the peer closed, which completes a
    /// response delimited by the close and fails any other.
    func endOfStream(_ i: Int, _ res: Int32) {
        let c = conns + i
        if res == 0, !isTCP, c.pointee.http.endOfStream() {
            c.pointee.responseDone = true
            c.pointee.mustClose = true
            if !c.pointee.sending { finish(i) }
        } else {
            fail(i, \.read)
        }
    }

    /// Feeds `total` bytes at `base` to the connection's parser. Returns the bytes consumed
    /// while the response is incomplete; nil when this receive is done with: the connection
    /// failed, or the response is complete (then the request is finished, and the next one
    /// may already have begun on this connection, so the caller must not touch its state).
    @inline(__always)
    func parse(_ i: Int, _ base: UnsafePointer<UInt8>, _ total: Int) -> Int? {
        let c = conns + i
        let consumed: Int
        if isTCP {
            consumed = c.pointee.tcp.parse(base, total, servers: &result.servers)
            c.pointee.responseDone = c.pointee.tcp.isComplete
        } else {
            do { consumed = try c.pointee.http.parse(base, total, servers: &result.servers) } catch { fail(i, \.read); return nil }
            c.pointee.responseDone = c.pointee.http.isComplete
        }
        guard c.pointee.responseDone else { return consumed }
        if !c.pointee.sending { finish(i) }
        return nil
    }

    /// The response is complete and the request sent: count it, start the next.
    func finish(_ i: Int) {
        let c = conns + i
        // The kernel's arrival time when known; it can precede the batch's clock reading.
        let end = c.pointee.arrivalNs > c.pointee.startNs && c.pointee.arrivalNs < now ? c.pointee.arrivalNs : now
        result.recordResponse(latencyNs: end &- c.pointee.startNs)
        if !isTCP {
            result.recordStatus(c.pointee.http.status)
            if c.pointee.http.connectionClose { c.pointee.mustClose = true }
        }
        active -= 1
        c.pointee.phase = .idle
        if closeEachRequest || c.pointee.mustClose {
            if c.pointee.pending > 0 {
                retire(i)
                return
            }
            closeSocket(i)
        }
        next(i, retryNotBefore: 0)
    }

    func next(_ i: Int, retryNotBefore: UInt64) {
        guard !stopping else { return }
        if intervalNs == 0 {
            if retryNotBefore > now { park(i, until: retryNotBefore) } else { begin(i) }
            return
        }
        conns[i].nextSendNs &+= intervalNs
        let due = max(conns[i].nextSendNs, retryNotBefore)
        if due > now { park(i, until: due) } else { begin(i) }
    }
}
