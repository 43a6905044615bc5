import Balancing
import Foundation

/// What the experiment runner reports from a time series: the director's traffic and CPU
/// over the window from the first to the last sample.
public struct CollectionSummary: Encodable, Equatable, Sendable {
    public var seconds: Double
    public var samples: Int
    /// The director's IPVS totals (`/proc/net/ip_vs_stats`) over the window.
    public var director: BalancerCounters?
    /// Each real's counters over the window, with its connection entries at the last
    /// sample (empty when the collector read no per-real counters).
    public var reals: [RealReading]
    /// ActiveConn + InActConn per real at the last sample, keyed `TCP 198.18.0.10:80 -> 198.18.1.2:80`
    /// (also for reals whose counters were not read).
    public var realConnEntries: [String: Int]
    /// Share of the director's CPU time spent in softirq over the window, 0-100.
    public var directorSoftirqPercent: Double?
    /// Share of the director's CPU time not idle (nor iowait) over the window, 0-100.
    public var directorBusyPercent: Double?
    /// Errors seen while sampling (first occurrence of each), so gaps are explained.
    public var errors: [String]

    /// Summarises the samples of `series` for the node named `director` (role director
    /// when nil).
    public init(_ series: TimeSeries, director: String? = nil) {
        let samples = series.samples
        seconds = (samples.last?.elapsed ?? 0) - (samples.first?.elapsed ?? 0)
        self.samples = samples.count
        var seen = Set<String>(), errors: [String] = []
        for s in samples { for n in s.nodes { for e in n.errors where seen.insert(e).inserted { errors.append(e) } } }
        self.errors = errors
        func pick(_ s: Sample?) -> NodeSample? {
            guard let s else { return nil }
            if let director { return s.node(director) }
            return s.nodes.first { $0.role == .director }
        }
        // Bracket the window with the first and last samples in which the director was read.
        let readable = samples.compactMap { pick($0) }.filter { $0.ipvs != nil || $0.cpu != nil }
        reals = []
        realConnEntries = [:]
        guard let first = readable.first, let last = readable.last else { return }
        if let before = first.ipvs, let after = last.ipvs {
            self.director = after.stats.totals - before.stats.totals
            // By key (proto, service, real), the first of a key as listed: a director with
            // 10,000 services (`lvsbench scale`) has 20,000 reals on each side.
            let earlierByKey = Dictionary(before.reals.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            reals = after.reals.compactMap { real in
                guard let earlier = earlierByKey[real.key] else { return nil }
                var window = real
                window.counters = real.counters - earlier.counters
                return window
            }
        }
        for service in last.ipvs?.table.services ?? [] {
            for real in service.reals {
                realConnEntries["\(service.key) -> \(real.address)"] = real.activeConns + real.inactiveConns
            }
        }
        let d = CounterRates.deltas(from: first, to: last)
        if let total = d["cpu.total"], total > 0 {
            directorSoftirqPercent = Double(d["cpu.softirq"] ?? 0) * 100 / Double(total)
            let idle = (d["cpu.idle"] ?? 0) + (d["cpu.iowait"] ?? 0)
            directorBusyPercent = Double(total - min(idle, total)) * 100 / Double(total)
        }
    }

    /// `collect --json`'s keys: the director's counters one by one, the reals' new
    /// connections keyed like `realConnEntries`.
    enum CodingKeys: String, CodingKey {
        case seconds, samples, directorConns, directorInPackets, directorOutPackets, directorInBytes, directorOutBytes
        case realConns, realConnEntries, directorSoftirqPercent, directorBusyPercent, errors
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(samples, forKey: .samples)
        try c.encodeIfPresent(director?.conns, forKey: .directorConns)
        try c.encodeIfPresent(director?.inPackets, forKey: .directorInPackets)
        try c.encodeIfPresent(director?.outPackets, forKey: .directorOutPackets)
        try c.encodeIfPresent(director?.inBytes, forKey: .directorInBytes)
        try c.encodeIfPresent(director?.outBytes, forKey: .directorOutBytes)
        try c.encode(reals.keyed.mapValues(\.conns), forKey: .realConns)
        try c.encode(realConnEntries, forKey: .realConnEntries)
        try c.encodeIfPresent(directorSoftirqPercent, forKey: .directorSoftirqPercent)
        try c.encodeIfPresent(directorBusyPercent, forKey: .directorBusyPercent)
        try c.encode(errors, forKey: .errors)
    }
}
