import Histogram

/// What one worker thread measured; merged into a `LoadReport` at the end of the run.
struct WorkerResult {
    var histogram = LatencyHistogram.make()
    var requests: UInt64 = 0
    var errors = LoadReport.Errors()
    var statusClasses = LoadReport.StatusClasses()
    var servers = ServerNameTable()
    var bytesReceived: UInt64 = 0
    var bytesSent: UInt64 = 0
    var connectionsOpened: UInt64 = 0
    /// Connection slots that saw a transport failure (see `LoadReport.broken_connections`).
    var brokenConnections: UInt64 = 0
    /// When the worker's last request finished (monotonic ns).
    var endNs: UInt64 = 0
    var failure: Error?
    /// The timeline intervals ended so far, in order of `index` (intervals in which this
    /// worker saw nothing may be missing).
    var intervals: [IntervalRecord] = []
    /// Latencies of the interval in progress.
    var liveLatency = LatencyBuckets()
    /// The index of the interval in progress.
    var liveIndex = 0
    /// The totals when the interval in progress began: its counts are the differences, so
    /// the hot path counts each event once, in the totals, and the timeline costs nothing
    /// per request but one bucket increment.
    private var atIntervalStart = Totals()

    private struct Totals {
        var requests: UInt64 = 0
        var errors = LoadReport.Errors()
        var connectionsOpened: UInt64 = 0
        var servers = ServerNameTable()
    }

    @inline(__always)
    mutating func recordResponse(latencyNs: UInt64) {
        requests &+= 1
        let microseconds = LatencyHistogram.microseconds(latencyNs)
        histogram.record(microseconds)
        liveLatency.record(microseconds)
    }

    @inline(__always)
    mutating func recordStatus(_ status: Int) {
        switch status {
        case ..<200: statusClasses.s1xx &+= 1
        case ..<300: statusClasses.s2xx &+= 1
        case ..<400: statusClasses.s3xx &+= 1
        case ..<500: statusClasses.s4xx &+= 1; errors.status &+= 1
        default: statusClasses.s5xx &+= 1; errors.status &+= 1
        }
    }

    /// Ends the interval in progress (everything counted since it began is its share) and
    /// starts interval `next`; with `next` nil, ends the timeline.
    mutating func endInterval(startingNext next: Int?) {
        let now = Totals(requests: requests, errors: errors, connectionsOpened: connectionsOpened, servers: servers)
        intervals.append(IntervalRecord(
            index: liveIndex, requests: now.requests - atIntervalStart.requests,
            errors: now.errors - atIntervalStart.errors,
            connectionsOpened: now.connectionsOpened - atIntervalStart.connectionsOpened,
            perServer: now.servers.dictionary(since: atIntervalStart.servers), latency: liveLatency.compacted))
        atIntervalStart = now
        liveLatency = LatencyBuckets()
        if let next { liveIndex = next }
    }
}

/// How latencies are kept: microseconds, three significant digits, up to one hour.
public enum LatencyHistogram {
    /// One hour in microseconds: a latency beyond it is recorded as one hour.
    public static let maxMicroseconds: UInt64 = 3_600_000_000

    public static func make() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: maxMicroseconds, numberOfSignificantValueDigits: .three)
    }

    /// Nanoseconds rounded up to whole microseconds, at least 1 (a response is never instant);
    /// written so that no value of the clock difference can overflow.
    @inline(__always)
    public static func microseconds(_ nanoseconds: UInt64) -> UInt64 {
        min(max(1, nanoseconds / 1000 + (nanoseconds % 1000 == 0 ? 0 : 1)), maxMicroseconds)
    }
}
