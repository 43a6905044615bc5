import Foundation
import Results

/// One port-reuse variant's numbers, derived from its timelines: what the client opened and
/// what IPVS counted, the client's SYN retransmissions and latency tail, and where the
/// connections went after the weight change, from both sides.
struct PortReuseFigures {
    var variant: ScenarioVariant
    /// The base variant (`mode-1-conntrack`), nil for a name the scenario does not know.
    var base: PortReuse.Base?

    init(_ variant: ScenarioVariant) {
        self.variant = variant
        let baseName = variant.name.split(separator: "/").first.map(String.init) ?? variant.name
        base = PortReuse.bases.first { $0.name == baseName }
    }

    var name: String { variant.name }
    var isDR: Bool { base?.mode == .dr }
    var reuseMode: Int? { base?.reuseMode }
    var conntrack: Bool { base?.conntrack ?? false }

    /// Connections the client opened (sockets it connected), over the whole load.
    var opened: UInt64 { variant.client.reduce(0) { $0 + $1.connectionsOpened } }
    var ok: UInt64 { variant.client.reduce(0) { $0 + $1.ok } }
    var lost: UInt64 { variant.client.reduce(0) { $0 + $1.lost } }
    /// The end of the load's last interval, seconds.
    var loadEnd: Double { (variant.client.last?.t ?? 0) + variant.intervalSeconds }

    /// New connections IPVS counted over the load (`Conns`, summed over the reals; zeroed
    /// before the load), from the last director sample, but only when that sample came more
    /// than one estimator period after the load ended: earlier ones may miss the last
    /// connections.
    var counted: UInt64? {
        guard let last = variant.director.last, last.t >= loadEnd + PortReuse.estimatorSeconds else { return nil }
        return last.reals.values.reduce(0) { $0 + ($1.scheduled ?? 0) }
    }

    /// The share of the client's connections IPVS did not count: they rode an old entry.
    var uncountedShare: Double? {
        guard let counted, opened > 0 else { return nil }
        return max(0, Double(opened) - Double(counted)) / Double(opened)
    }

    /// SYNs the director forwarded to the reals during the load, counted on the wire: one
    /// per connection, plus every retransmitted SYN.
    var wireSyns: UInt64? { variant.wire.map { $0.reduce(0) { $0 + $1.syns.values.reduce(0, +) } } }

    /// The client's SYN retransmissions during the load (each one a connection that waited
    /// at least the initial RTO of 1 s).
    var synRetransmits: UInt64? {
        let values = variant.director.compactMap { $0.gauges[PortReuseGauges.synRetrans] }
        guard let first = values.first, let last = values.last else { return nil }
        return UInt64(max(0, last - first))
    }

    var maxConntrackEntries: Double? {
        variant.director.compactMap { $0.gauges[PortReuseGauges.conntrackEntries] }.max()
    }

    /// The worst interval p99, microseconds.
    var worstP99US: Double? { variant.client.compactMap(\.p99US).max() }

    static let slowUS = 900_000.0

    /// Intervals whose p99 reached 900 ms: in each, at least 1% of the responses took that long.
    var slowIntervals: [ClientInterval] { variant.client.filter { ($0.p99US ?? 0) >= Self.slowUS } }

    /// A lower bound of the responses slower than 900 ms, derived from the interval p99s
    /// (the timeline keeps no histogram): 1% of each slow interval's responses, rounded up.
    var slowLowerBound: UInt64 {
        slowIntervals.reduce(0) { $0 + ($1.ok + 99) / 100 }
    }

    // MARK: the weight change

    var change: ScenarioEvent? { variant.events.first }
    var horizon: Double { variant.events.dropFirst().first?.t ?? loadEnd }
    var quiescedName: String? { variant.metrics.faultyRealName }
    var quiescedAddress: String? { variant.metrics.faultyReal }

    /// The client intervals wholly after the weight change was done and before the horizon:
    /// no request of theirs was sent before the change.
    var afterChange: [ClientInterval] {
        guard let done = change?.doneT else { return [] }
        let width = variant.intervalSeconds
        return variant.client.filter { $0.t >= done && $0.t + width <= horizon }
    }

    /// Responses from the weight-0 real after the change, and all responses then.
    var answeredByQuiesced: (byReal: UInt64, all: UInt64)? {
        guard let real = quiescedName, change != nil else { return nil }
        let window = afterChange
        return (window.reduce(0) { $0 + ($1.perReal[real] ?? 0) }, window.reduce(0) { $0 + $1.ok })
    }

    var quiescedShare: Double? {
        guard let a = answeredByQuiesced, a.all > 0 else { return nil }
        return Double(a.byReal) / Double(a.all)
    }

    /// The director's view of the weight-0 real at the horizon: its connection-table entries
    /// and its active plus inactive connections.
    var quiescedAtHorizon: (entries: Int?, connections: UInt64?)? {
        guard let real = quiescedAddress,
              let sample = variant.director.last(where: { $0.t <= horizon }) else { return nil }
        let gauge = sample.reals[real]
        // A sample that read the table lists only the reals that had entries.
        let entries = gauge?.tableEntries ?? (sample.gauges["table_entries"] != nil ? 0 : nil)
        return (entries, gauge?.active.map { $0 + (gauge?.inactive ?? 0) })
    }

    /// SYNs the director forwarded to the weight-0 real from the change to the horizon,
    /// counted on the wire: new connections and riders alike.
    var synsToQuiesced: UInt64? {
        variant.metrics.scheduledSource == "wire" ? variant.metrics.scheduledToFaultyReal : nil
    }

    /// New connections IPVS counted for the weight-0 real after the change: from the first
    /// sample one estimator period after it (when every earlier connection is folded in) to
    /// the last one.
    var countedForQuiesced: UInt64? {
        guard let real = quiescedAddress, let done = change?.doneT, counted != nil,
              let from = variant.director.first(where: { $0.t >= done + PortReuse.estimatorSeconds })?.reals[real]?.scheduled,
              let to = variant.director.last?.reals[real]?.scheduled else { return nil }
        return to >= from ? to - from : 0
    }
}
