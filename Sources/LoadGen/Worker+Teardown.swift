import CLiburing
#if canImport(Glibc)
import Glibc
#endif

/// Ending a connection: after a failure (counted), or without one (retiring), always
/// waiting until the ring holds no operation on the socket before closing it.
extension Worker {
    /// Counts the request as failed in `kind` and aborts its outstanding operations; the
    /// connection is reset once they have all completed (`settle`).
    func fail(_ i: Int, _ kind: WritableKeyPath<LoadReport.Errors, UInt64>) {
        let c = conns + i
        guard !c.pointee.failed else { return }
        c.pointee.failed = true
        countFailure(i, kind)
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

    /// Counts a failed request in `kind` and, the first time, its connection slot as broken.
    func countFailure(_ i: Int, _ kind: WritableKeyPath<LoadReport.Errors, UInt64>) {
        result.errors[keyPath: kind] &+= 1
        if !conns[i].broken {
            conns[i].broken = true
            result.brokenConnections &+= 1
        }
    }

    /// Closes a connection that has no request in flight but still an armed receive.
    func retire(_ i: Int) {
        conns[i].retiring = true
        shutdown(conns[i].fd, Int32(SHUT_RDWR))
    }

    /// Called on each completion of a failed or retiring connection: once nothing is
    /// outstanding, closes the socket and moves on to the next request.
    func settle(_ i: Int) {
        let c = conns + i
        guard c.pointee.pending == 0 else { return }
        let wasConnecting = c.pointee.phase == .connecting
        if c.pointee.fd >= 0 {
            close(c.pointee.fd)
            c.pointee.fd = -1
            c.pointee.generation &+= 1
        }
        c.pointee.sending = false
        c.pointee.recvArmed = false
        if c.pointee.retiring {
            c.pointee.retiring = false
            next(i, retryNotBefore: 0)
            return
        }
        c.pointee.failed = false
        c.pointee.phase = .idle
        active -= 1
        next(i, retryNotBefore: wasConnecting ? now + Self.retryDelayNs : 0)
    }

    /// Closes through the ring (no completion on success), so the close rides along with
    /// the next batch instead of costing a system call of its own.
    func closeSocket(_ i: Int) {
        let sqe = ring.sqe()
        io_uring_prep_close(sqe, conns[i].fd)
        io_uring_sqe_set_data64(sqe, userData(i, .close))
        sqe.pointee.flags |= Worker.skipSuccess
        conns[i].fd = -1
        conns[i].generation &+= 1
    }
}
