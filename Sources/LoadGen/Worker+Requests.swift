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
        if isTCP { c.pointee.tcp = TCPResponseParser(responseSize: options.responseSize) } else { c.pointee.http.reset() }
        active += 1
        if c.pointee.fd >= 0 {
            c.pointee.phase = .requesting
            submitSend(i)
            submitRecv(i)
            return
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            c.pointee.phase = .connecting
            c.pointee.failed = true
            result.errors.connect &+= 1
            settle(i)
            return
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        c.pointee.fd = fd
        c.pointee.phase = .connecting
        result.connectionsOpened &+= 1
        // Connect, send and receive go out linked in one submission: one trip through the
        // ring per new connection instead of two. A failed connect cancels the other two.
        let sqe = ring.sqe()
        address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            io_uring_prep_connect(sqe, fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
        io_uring_sqe_set_data64(sqe, userData(i, .connect))
        sqe.pointee.flags |= Worker.link
        c.pointee.pending += 1
        submitSend(i, linked: true)
        submitRecv(i)
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
    }

    @inline(__always)
    private func submitRecv(_ i: Int) {
        let sqe = ring.sqe()
        let carry = conns[i].carry
        io_uring_prep_recv(sqe, conns[i].fd, buffers + i * Self.bufferSize + carry, Self.bufferSize - carry, 0)
        // The answer to a request just sent is not there yet: wait for readiness at once
        // instead of first trying a receive that must fail.
        if carry == 0 { sqe.pointee.ioprio |= UInt16(IORING_RECVSEND_POLL_FIRST) }
        io_uring_sqe_set_data64(sqe, userData(i, .recv))
        conns[i].pending += 1
    }

    /// Handles one completion.
    @inline(__always)
    func handle(_ data: UInt64, _ res: Int32) {
        guard let op = Op(rawValue: data & 7), op != .cancel, op != .close else { return }
        let i = Int(data >> 3)
        let c = conns + i
        c.pointee.pending -= 1
        if c.pointee.failed { settle(i); return }
        switch op {
        case .connect:
            if res < 0 { fail(i, \.connect); return }
            c.pointee.phase = .requesting
        case .send:
            if res < 0 { fail(i, \.write); return }
            c.pointee.sent += Int(res)
            result.bytesSent &+= UInt64(res)
            if c.pointee.sent < requestLength { submitSend(i) } else if c.pointee.responseDone, c.pointee.pending == 0 { finish(i) }
        case .recv:
            received(i, res)
        default:
            break
        }
    }

    @inline(__always)
    private func received(_ i: Int, _ res: Int32) {
        let c = conns + i
        if res < 0 { fail(i, \.read); return }
        if res == 0 {
            if !isTCP, c.pointee.http.endOfStream() {
                c.pointee.responseDone = true
                c.pointee.mustClose = true
                if c.pointee.pending == 0 { finish(i) }
            } else {
                fail(i, \.read)
            }
            return
        }
        result.bytesReceived &+= UInt64(res)
        let base = buffers + i * Self.bufferSize
        let total = c.pointee.carry + Int(res)
        let consumed: Int
        let complete: Bool
        if isTCP {
            consumed = c.pointee.tcp.parse(base, total, servers: &result.servers)
            complete = c.pointee.tcp.isComplete
        } else {
            do { consumed = try c.pointee.http.parse(base, total, servers: &result.servers) } catch { fail(i, \.read); return }
            complete = c.pointee.http.isComplete
        }
        if complete {
            c.pointee.responseDone = true
            if c.pointee.pending == 0 { finish(i) }
            return
        }
        let left = total - consumed
        if left > 0, consumed > 0 { memmove(base, base + consumed, left) }
        guard left < Self.bufferSize else { fail(i, \.read); return }
        c.pointee.carry = left
        submitRecv(i)
    }

    /// The response is complete and no operation is outstanding: count it, start the next.
    private func finish(_ i: Int) {
        let c = conns + i
        result.recordResponse(latencyNs: now &- c.pointee.startNs, second: Int((now &- startNs) / 1_000_000_000))
        if !isTCP {
            result.recordStatus(c.pointee.http.status)
            if c.pointee.http.connectionClose { c.pointee.mustClose = true }
        }
        active -= 1
        c.pointee.phase = .idle
        if closeEachRequest || c.pointee.mustClose { closeSocket(i) }
        next(i, retryNotBefore: 0)
    }

    private func next(_ i: Int, retryNotBefore: UInt64) {
        guard !stopping else { return }
        if intervalNs == 0 {
            if retryNotBefore > now { park(i, until: retryNotBefore) } else { begin(i) }
            return
        }
        conns[i].nextSendNs &+= intervalNs
        let due = max(conns[i].nextSendNs, retryNotBefore)
        if due > now { park(i, until: due) } else { begin(i) }
    }

    /// Counts the request as failed in `kind` and aborts its outstanding operations; the
    /// connection is reset once they have all completed (`settle`).
    func fail(_ i: Int, _ kind: WritableKeyPath<LoadReport.Errors, UInt64>) {
        let c = conns + i
        guard !c.pointee.failed else { return }
        c.pointee.failed = true
        result.errors[keyPath: kind] &+= 1
        if c.pointee.pending > 0 {
            shutdown(c.pointee.fd, Int32(SHUT_RDWR))
            if c.pointee.phase == .connecting {
                let sqe = ring.sqe()
                io_uring_prep_cancel_fd(sqe, c.pointee.fd, 0)
                io_uring_sqe_set_data64(sqe, userData(i, .cancel))
                sqe.pointee.flags |= Worker.skipSuccess
            }
        } else {
            settle(i)
        }
    }

    private func settle(_ i: Int) {
        let c = conns + i
        guard c.pointee.pending == 0 else { return }
        let wasConnecting = c.pointee.phase == .connecting
        if c.pointee.fd >= 0 {
            close(c.pointee.fd)
            c.pointee.fd = -1
        }
        c.pointee.failed = false
        c.pointee.phase = .idle
        active -= 1
        next(i, retryNotBefore: wasConnecting ? now + Self.retryDelayNs : 0)
    }

    /// Closes through the ring (no completion on success), so the close rides along with
    /// the next batch instead of costing a system call of its own.
    private func closeSocket(_ i: Int) {
        let sqe = ring.sqe()
        io_uring_prep_close(sqe, conns[i].fd)
        io_uring_sqe_set_data64(sqe, userData(i, .close))
        sqe.pointee.flags |= Worker.skipSuccess
        conns[i].fd = -1
    }
}
