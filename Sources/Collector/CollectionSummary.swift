import Foundation

/// What the experiment runner reports from a time series: the director's traffic and CPU
/// over the window from the first to the last sample.
public struct CollectionSummary: Codable, Equatable, Sendable {
    public var seconds: Double
    public var samples: Int
    /// IPVS totals (`/proc/net/ip_vs_stats`) over the window.
    public var directorConns: UInt64?
    public var directorInPackets: UInt64?
    public var directorOutPackets: UInt64?
    public var directorInBytes: UInt64?
    public var directorOutBytes: UInt64?
    /// New connections per real over the window, keyed `TCP 198.18.0.10:80 -> 198.18.1.2:80`
    /// (empty when the collector had no stats-listing parser).
    public var realConns: [String: UInt64]
    /// ActiveConn + InActConn per real at the last sample, keyed like `realConns`.
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
        realConns = [:]
        realConnEntries = [:]
        guard let first = readable.first, let last = readable.last else { return }
        let d = CounterRates.deltas(from: first, to: last)
        directorConns = d["ipvs.conns"]
        directorInPackets = d["ipvs.inPackets"]
        directorOutPackets = d["ipvs.outPackets"]
        directorInBytes = d["ipvs.inBytes"]
        directorOutBytes = d["ipvs.outBytes"]
        for (k, v) in d where k.hasPrefix("ipvs.real.") && k.hasSuffix(".conns") {
            realConns[String(k.dropFirst("ipvs.real.".count).dropLast(".conns".count))] = v
        }
        for service in last.ipvs?.table.services ?? [] {
            for real in service.reals {
                realConnEntries["\(service.key) -> \(real.address)"] = real.activeConns + real.inactiveConns
            }
        }
        if let total = d["cpu.total"], total > 0 {
            directorSoftirqPercent = Double(d["cpu.softirq"] ?? 0) * 100 / Double(total)
            let idle = (d["cpu.idle"] ?? 0) + (d["cpu.iowait"] ?? 0)
            directorBusyPercent = Double(total - min(idle, total)) * 100 / Double(total)
        }
    }
}
