/// What one worker counted in one timeline interval. Every event is counted in the
/// interval of the clock reading of the batch in which the worker handled it (a response
/// when it completed, a failure when it was detected), so the intervals' sums are the
/// run's totals.
struct IntervalRecord {
    var index: Int
    var requests: UInt64
    var errors: LoadReport.Errors
    var connectionsOpened: UInt64
    var perServer: [String: UInt64]
    var latency: LatencyBuckets

    /// The interval that monotonic time `ns` falls in, for a run whose interval 0 began at
    /// `start` (earlier times count in interval 0).
    static func index(at ns: UInt64, start: UInt64, length: UInt64) -> Int {
        ns > start ? Int((ns - start) / length) : 0
    }

    /// The run's timeline: `count` points, each the sum of every worker's record for it.
    static func timeline(_ records: [[IntervalRecord]], count: Int) -> [LoadReport.TimelinePoint] {
        var points = (0..<count).map { LoadReport.TimelinePoint(t: $0, requests: 0) }
        var latencies = [LatencyBuckets?](repeating: nil, count: count)
        for record in records.joined() where record.index < count {
            let t = record.index
            points[t].requests += record.requests
            points[t].errors += record.errors
            points[t].connections_opened += record.connectionsOpened
            points[t].per_server.merge(record.perServer, uniquingKeysWith: +)
            if record.latency.total > 0 {
                if latencies[t] == nil { latencies[t] = LatencyBuckets() }
                latencies[t]!.add(record.latency)
            }
        }
        for t in 0..<count { points[t].latency_us = latencies[t]?.summary }
        return points
    }
}
