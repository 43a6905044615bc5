import Histogram

/// What one worker thread measured; merged into a `LoadReport` at the end of the run.
struct WorkerResult {
    var histogram = LatencyHistogram.make()
    var requests: UInt64 = 0
    var errors = LoadReport.Errors()
    var statusClasses = LoadReport.StatusClasses()
    var servers = ServerNameTable()
    /// Responses per second of the run, indexed by second.
    var timeline: [UInt64]
    var bytesReceived: UInt64 = 0
    var bytesSent: UInt64 = 0
    var connectionsOpened: UInt64 = 0
    /// When the worker's last request finished (monotonic ns).
    var endNs: UInt64 = 0
    var failure: Error?

    init(seconds: Int) { timeline = [UInt64](repeating: 0, count: max(1, seconds)) }

    @inline(__always)
    mutating func recordResponse(latencyNs: UInt64, second: Int) {
        requests &+= 1
        histogram.record(LatencyHistogram.microseconds(latencyNs))
        timeline[min(second, timeline.count - 1)] &+= 1
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
