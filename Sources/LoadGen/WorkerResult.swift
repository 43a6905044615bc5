import Histogram

/// What one worker thread measured; merged into a `LoadReport` at the end of the run.
struct WorkerResult {
    var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: WorkerResult.maxLatencyUs,
                                      numberOfSignificantValueDigits: .three)
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

    /// One hour in microseconds: a latency beyond it is recorded as one hour.
    static let maxLatencyUs: UInt64 = 3_600_000_000

    init(seconds: Int) { timeline = [UInt64](repeating: 0, count: max(1, seconds)) }

    @inline(__always)
    mutating func recordResponse(latencyNs: UInt64, second: Int) {
        requests &+= 1
        histogram.record(min(max(1, (latencyNs + 999) / 1000), Self.maxLatencyUs))
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
