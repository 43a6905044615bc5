import CLiburing
#if canImport(Glibc)
import Glibc
#endif

/// Keep-alive receives: one multishot receive per connection stays armed across requests,
/// taking kernel-provided buffers, so no receive is submitted and no readiness is armed
/// per response. It is a recvmsg, so each buffer also carries the kernel's receive
/// timestamp of the data (SO_TIMESTAMPNS): latency ends when the response arrived, not when
/// the thread got around to it, which lets the thread sleep until several completions are
/// ready. Bytes of an incomplete line are copied to the connection's own buffer.
extension Worker {
    /// SO_TIMESTAMPNS (SO_TIMESTAMPNS_OLD in asm-generic/socket.h), also the cmsg type.
    static let timestampOption: Int32 = 35
    /// Room for one SCM_TIMESTAMPNS control message: CMSG_SPACE(sizeof(struct timespec)).
    static let controlSpace = MemoryLayout<cmsghdr>.stride + MemoryLayout<timespec>.stride

    /// Asks for receive timestamps on a new socket.
    func enableTimestamps(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, Self.timestampOption, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Takes the receive timestamp from a control message, if it is one.
    @inline(__always)
    func noteArrival(_ i: Int, _ cmsg: UnsafePointer<cmsghdr>) {
        guard cmsg.pointee.cmsg_len >= Self.controlSpace, cmsg.pointee.cmsg_level == SOL_SOCKET,
              cmsg.pointee.cmsg_type == Self.timestampOption else { return }
        let stamp = UnsafeRawPointer(cmsg + 1).loadUnaligned(as: timespec.self)
        let real = UInt64(stamp.tv_sec) &* 1_000_000_000 &+ UInt64(stamp.tv_nsec)
        conns[i].arrivalNs = real &- realtimeOffsetNs
    }

    func armRecv(_ i: Int) {
        let sqe = ring.sqe()
        io_uring_prep_recvmsg_multishot(sqe, conns[i].fd, messageHeader, 0)
        sqe.pointee.flags |= Worker.bufferSelect
        sqe.pointee.buf_group = Ring.bufferGroup
        io_uring_sqe_set_data64(sqe, userData(i, .recv))
        conns[i].pending += 1
        conns[i].recvArmed = true
    }

    @inline(__always)
    func receivedMultishot(_ i: Int, _ res: Int32, _ flags: UInt32) {
        let c = conns + i
        let more = flags & UInt32(IORING_CQE_F_MORE) != 0
        if !more {
            c.pointee.pending -= 1
            c.pointee.recvArmed = false
        }
        var id = -1
        if flags & UInt32(IORING_CQE_F_BUFFER) != 0 { id = Int(flags >> 16) }
        defer { if id >= 0 { ring.recycle(id) } }
        if c.pointee.failed || c.pointee.retiring {
            settle(i)
            return
        }
        if res == -ENOBUFS {
            // All provided buffers were in use; the data waits in the socket.
            if !more { armRecv(i) }
            return
        }
        guard c.pointee.phase == .requesting, !c.pointee.responseDone else {
            // Nothing expected: the server closed an idle connection or sent stray bytes.
            // End the receive; the socket is closed when nothing is outstanding any more.
            if more {
                shutdown(c.pointee.fd, Int32(SHUT_RDWR))
            } else if c.pointee.pending == 0, c.pointee.phase != .requesting {
                closeIdle(i)
            }
            return
        }
        if res <= 0 {
            endOfStream(i, res)
            return
        }
        guard let out = io_uring_recvmsg_validate(ring.buffer(id), res, messageHeader) else { fail(i, \.read); return }
        let length = Int(out.pointee.payloadlen)
        if length == 0 {
            endOfStream(i, 0)
            return
        }
        if let cmsg = io_uring_recvmsg_cmsg_firsthdr(out, messageHeader) { noteArrival(i, cmsg) }
        result.bytesReceived &+= UInt64(length)
        let own = buffers + i * Self.bufferSize
        var base = io_uring_recvmsg_payload(out, messageHeader).assumingMemoryBound(to: UInt8.self)
        var total = length
        let carry = c.pointee.carry
        if carry > 0 {
            guard carry + total <= Self.bufferSize else { fail(i, \.read); return }
            memcpy(own + carry, base, total)
            base = own
            total += carry
        }
        guard let consumed = parse(i, base, total) else { return }
        let left = total - consumed
        if left > 0 {
            guard left < Self.bufferSize else { fail(i, \.read); return }
            memmove(own, base + consumed, left)
        }
        c.pointee.carry = left
        if !more { armRecv(i) }
    }

    /// Closes a socket with nothing outstanding between requests; the next request reconnects.
    private func closeIdle(_ i: Int) {
        close(conns[i].fd)
        conns[i].fd = -1
        conns[i].generation &+= 1
    }
}
