import Foundation
import Results

/// The health-check scenario's own figures for one variant, read from its timelines: when the
/// dead real left the director's service (a sample without it: IPVS lists no count for a real
/// that is not in the service), what was lost until then and until the real came back (the
/// variant's second event), and how soon it was back in the service and answering.
/// `VariantMetrics` stops at the second event; these look past it.
struct HealthCheckFigures: Equatable, Sendable {
    /// Seconds from the death to the first director sample without the real; nil when it
    /// stayed in the service until its return.
    var removedAfter: Double?
    /// Seconds from the death to the return: the window the losses are counted in.
    var window: Double
    /// Requests lost (failed or timed out) from the death to the removal, or to the return
    /// when the real was never removed.
    var lostUntilRemoval: UInt64
    /// Requests lost from the death to the return.
    var lostUntilReturn: UInt64
    /// Requests lost in the last second before the return: 0 once the losses have stopped.
    var lostLastSecond: UInt64
    /// Seconds from the return to the first director sample listing the real again; nil when
    /// it was never removed, or not back by the end of the load.
    var backAfter: Double?
    /// Seconds from the return to the end of the first interval with a response from the real;
    /// nil when it answered nothing more within the run.
    var answeringAfter: Double?

    /// The figures of `v`; nil for a variant without a faulty real or a return.
    init?(_ v: ScenarioVariant) {
        guard let real = v.metrics.faultyReal, let name = v.metrics.faultyRealName, v.events.count >= 2 else { return nil }
        let fault = v.events[0].t, back = v.events[1].t, width = v.intervalSeconds
        func inService(_ s: DirectorSample) -> Bool { s.reals[real]?.scheduled != nil }
        func lost(from start: Double, to end: Double) -> UInt64 {
            v.client.filter { $0.t + width > start && $0.t < end }.reduce(0) { $0 + $1.lost }
        }
        let removal = v.director.first { $0.t >= fault && $0.t < back && !inService($0) }?.t
        removedAfter = removal.map { $0 - fault }
        window = back - fault
        lostUntilRemoval = lost(from: fault, to: removal ?? back)
        lostUntilReturn = lost(from: fault, to: back)
        lostLastSecond = v.client.filter { $0.t >= back - 1 && $0.t + width <= back }.reduce(0) { $0 + $1.lost }
        backAfter = removal == nil ? nil : v.director.first { $0.t >= back && inService($0) }.map { $0.t - back }
        answeringAfter = v.client.first { $0.t + width > back && ($0.perReal[name] ?? 0) > 0 }.map { $0.t + width - back }
    }

    /// Requests lost per second from the death to the return.
    var lossRate: Double { window > 0 ? Double(lostUntilReturn) / window : 0 }

    /// "removed after 1.75 s (40 lost until then), 0 lost in the last second before the
    /// return, back in IPVS 0.50 s and answering 0.75 s after it".
    var summary: String {
        var parts = [removedAfter.map { String(format: "removed after %.2f s (%llu lost until then)", $0, lostUntilRemoval) }
            ?? String(format: "never removed (%llu lost in %.1f s, %.0f/s)", lostUntilReturn, window, lossRate)]
        parts.append("\(lostLastSecond) lost in the last second before the return")
        if removedAfter != nil {
            parts.append(backAfter.map { String(format: "back in IPVS %.2f s after it", $0) } ?? "not back in IPVS by the end")
        }
        parts.append(answeringAfter.map { String(format: "answering again within %.2f s of it", $0) }
            ?? "answering nothing after it within the run")
        return parts.joined(separator: ", ")
    }
}
