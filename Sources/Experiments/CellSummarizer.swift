import Foundation
import IPVSControl
import LoadGen
import Results
import Vocabulary

/// Turns a cell's raw repeats into the summary's `Cell`: medians for the rates (each ratio
/// computed per repeat, so a slow moment of the machine hits both sides alike), latency
/// from the repeat closest to the median, and counts (errors, shares, director counters)
/// summed over every measured window.
public enum CellSummarizer {
    public static func cell(_ m: CellMeasurement) -> Cell {
        let repeats = Repeats(rps: m.repeats.map(\.balanced.rps), directRPS: m.repeats.map(\.directRPS))
        let median = medianRepeat(m.repeats)
        let cps = Spread(m.repeats.map { perSecond($0.balanced.connections_opened, $0.balanced) }).median
        let bytes = Spread(m.repeats.map { perSecond($0.balanced.bytes_received, $0.balanced) }).median
        let l = median.balanced.latency_us
        let latency = Latency(p50: Double(l.p50), p90: Double(l.p90), p99: Double(l.p99), p999: Double(l.p999),
                              max: Double(l.max))
        return Cell(mode: m.spec.mode, scheduler: m.spec.scheduler, profile: m.spec.profile,
                    reals: m.realNames.count, load: m.spec.load, rps: repeats.rps.median, cps: cps,
                    bytesPerSecond: bytes, durationSeconds: m.windowSeconds, latencyUS: latency,
                    errors: errors(m.repeats.map(\.balanced)), directRPS: repeats.directRPS.median,
                    lbOverheadRatio: repeats.lbOverheadRatio.median, perReal: shares(m),
                    director: director(m), repeats: repeats,
                    plainForward: ForwardCost.of(m.repeats, perConnection: m.spec.load.closesConnections),
                    balancer: m.spec.balancer)
    }

    /// Expected shares as the summary states them: where the scheduler gives no prediction
    /// (hashing, locality, overflow), the nominal split its weights would give.
    public static func expectedShares(scheduler: Scheduler, weights: [Int]) -> [Double] {
        if let shares = ExpectedShares.compute(scheduler: scheduler, weights: weights) { return shares }
        return ExpectedShares.compute(scheduler: scheduler.usesWeights ? .wrr : .rr, weights: weights)
            ?? weights.map { _ in 0 }
    }

    /// Observed shares are shares of new connections as IPVS counted them: the scheduler
    /// decides per connection, and with keep-alive the requests a connection carries depend
    /// on how fast the client and that real happen to run on a shared machine, not on the
    /// scheduler. Where IPVS counted none (counters unreadable), the load generator's
    /// per-server request counts stand in.
    static func shares(_ m: CellMeasurement) -> [RealShare] {
        let conns = m.realNames.indices.map { i in
            m.repeats.reduce(0) { $0 + ($1.counters.realConnections.indices.contains(i)
                ? $1.counters.realConnections[i] : 0) }
        }
        var counts: [String: Int] = [:]
        for r in m.repeats { for (name, n) in r.balanced.per_server { counts[name, default: 0] += Int(n) } }
        let totalConns = conns.reduce(0, +)
        let observed = totalConns > 0 ? conns.map { Double($0) / Double(totalConns) }
            : ExpectedShares.observed(counts: counts, names: m.realNames) ?? m.realNames.map { _ in 0 }
        let expected = expectedShares(scheduler: m.spec.scheduler, weights: m.spec.weights)
        return m.realNames.indices.map { i in
            RealShare(name: m.realNames[i], weight: m.spec.weights.indices.contains(i) ? m.spec.weights[i] : 0,
                      expectedShare: expected.indices.contains(i) ? expected[i] : 0,
                      observedShare: observed[i], ipvsConns: conns[i])
        }
    }

    static func director(_ m: CellMeasurement) -> DirectorCounters {
        let c = m.repeats.map(\.counters)
        let mean = { (values: [Double]) in values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
        return DirectorCounters(traffic: c.map(\.traffic).reduce(.zero, +),
                                cpuSoftirqPct: mean(c.map(\.softirqPercent)), cpuBusyPct: mean(c.map(\.busyPercent)),
                                windowSeconds: m.windowSeconds * Double(c.count))
    }

    static func errors(_ reports: [LoadReport]) -> ErrorCounts {
        var kinds: [String: Int] = [:]
        for e in reports.map(\.errors) {
            kinds["connect", default: 0] += Int(e.connect)
            kinds["read", default: 0] += Int(e.read)
            kinds["write", default: 0] += Int(e.write)
            kinds["timeout", default: 0] += Int(e.timeout)
            kinds["status", default: 0] += Int(e.status)
        }
        return ErrorCounts(byKind: kinds.filter { $0.value > 0 })
    }

    static func medianRepeat(_ repeats: [RepeatMeasurement]) -> RepeatMeasurement {
        let median = Spread(repeats.map(\.balanced.rps)).median
        return repeats.min { abs($0.balanced.rps - median) < abs($1.balanced.rps - median) }!
    }

    static func perSecond(_ count: UInt64, _ report: LoadReport) -> Double {
        report.duration_s > 0 ? Double(count) / report.duration_s : 0
    }
}
