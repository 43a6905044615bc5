import LoadGen
import Results

/// The load generator's timeline as the scenario records it: t in seconds, failures split
/// into timeouts and the rest.
enum ClientTimeline {
    static func intervals(of report: LoadReport) -> [ClientInterval] {
        let width = report.timeline_interval_s
        return report.timeline.map { point in
            let e = point.errors
            return ClientInterval(t: Double(point.t) * width, ok: point.requests, failed: e.connect + e.read + e.write,
                                  timedOut: e.timeout, connectionsOpened: point.connections_opened,
                                  p99US: point.latency_us.map { Double($0.p99) }, perReal: point.per_server)
        }
    }
}
