/// The state of one client connection in a worker. Kept in a flat array of plain values so
/// the event loop touches no reference counts and allocates nothing per request.
struct Connection {
    enum Phase: UInt8 {
        /// No request in progress (before the first, after the run's end, or between retries).
        case idle
        /// Waiting for `wakeNs`: the next open-loop send time or a retry after a failure.
        case waiting
        case connecting
        /// The request is being sent and the response received.
        case requesting
    }

    var fd: Int32 = -1
    /// Changes whenever the socket is closed: a late completion of a quiet send on an older
    /// socket carries an older generation and is ignored.
    var generation: UInt8 = 0
    var phase: Phase = .idle
    /// io_uring operations submitted and not yet completed; the socket is closed only at zero.
    var pending: Int32 = 0
    /// The current request failed (and was counted); waiting for `pending` to drain.
    var failed = false
    /// The slot saw a transport failure at some point of the run (`LoadReport.broken_connections`).
    var broken = false
    var responseDone = false
    /// The request's send has not completed yet.
    var sending = false
    /// A multishot receive is armed on the socket (keep-alive mode).
    var recvArmed = false
    /// Done with the socket without an error (the peer asked to close, or closed an idle
    /// connection): close it once `pending` drains.
    var retiring = false
    /// The response ended with the peer closing, or asked for it (`Connection: close`).
    var mustClose = false
    /// Bytes of the request sent so far.
    var sent = 0
    /// Bytes of an incomplete line kept at the start of the buffer.
    var carry = 0
    /// Where latency is measured from: the intended send time (open loop) or the send time.
    var startNs: UInt64 = 0
    /// When the request actually began, for `--timeout`.
    var opStartNs: UInt64 = 0
    /// Open loop: the intended send time of the next request.
    var nextSendNs: UInt64 = 0
    var wakeNs: UInt64 = 0
    /// When the kernel received the latest response bytes (monotonic ns, from the socket's
    /// receive timestamp), 0 if unknown: then the completion's processing time counts.
    var arrivalNs: UInt64 = 0
    var http = HTTPResponseParser()
    var tcp = TCPResponseParser(responseSize: 0)
}
