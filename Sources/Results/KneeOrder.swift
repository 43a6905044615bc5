import Foundation

/// Whether a sweep shows the LVS claim its modes are compared for: a NAT director saturates
/// at fewer reals than a DR or TUN one, because it carries every reply as well as every
/// request. Judged per other mode on the knees; where NAT's knee is not first, the numbers
/// that say why (a dip of one window on an unsaturated director, or a director whose cost
/// per packet offsets NAT's extra packets) come with the verdict, so a reader never has to
/// take a tie or a reversal for a finding about IPVS.
public struct KneeOrder: Equatable, Sendable {
    public enum Verdict: String, Equatable, Sendable {
        case shown = "SHOWN", notShown = "NOT SHOWN", notMeasured = "NOT MEASURED"
    }

    /// NAT against one other mode.
    public struct Comparison: Equatable, Sendable {
        public var mode: String
        public var verdict: Verdict
        public var reason: String
    }

    public var comparisons: [Comparison]

    /// Shown only when NAT's knee came first against every other mode; not shown when it
    /// did not against at least one.
    public var verdict: Verdict {
        if comparisons.contains(where: { $0.verdict == .notShown }) { return .notShown }
        if !comparisons.isEmpty, comparisons.allSatisfy({ $0.verdict == .shown }) { return .shown }
        return .notMeasured
    }

    /// Nil when the sweep has no NAT curve or nothing to compare it with.
    public static func judge(_ sweep: [String: ModeSweep]) -> KneeOrder? {
        let others = ["dr", "tun"].filter { sweep[$0] != nil }
        guard let nat = sweep["nat"], !others.isEmpty else { return nil }
        return KneeOrder(comparisons: others.map { compare(nat: nat, mode: $0, sweep[$0]!) })
    }

    private static func compare(nat: ModeSweep, mode: String, _ other: ModeSweep) -> Comparison {
        let natLargest = nat.points.last?.reals ?? 0
        guard let natKnee = nat.kneeReals else {
            return Comparison(mode: mode, verdict: .notMeasured, reason: "NAT did not saturate up to \(natLargest) reals, "
                + "so there is no knee to compare: sweep to larger counts (--reals) or cap the reals higher (--real-rate).")
        }
        guard let knee = other.kneeReals else {
            let cpu = other.points.last.map { String(format: " (director %.0f%% there)", $0.directorCPUPct) } ?? ""
            return Comparison(mode: mode, verdict: .shown, reason: "NAT's knee at \(natKnee) reals; \(mode) did not "
                + "saturate up to \(other.points.last?.reals ?? 0) reals\(cpu).")
        }
        if natKnee < knee {
            return Comparison(mode: mode, verdict: .shown, reason: "NAT's knee at \(natKnee) reals, \(mode)'s at \(knee).")
        }
        let order = natKnee == knee ? "ties with" : "comes after"
        var reason = "NAT's knee (\(natKnee) reals) \(order) \(mode)'s (\(knee)): "
            + why(nat: nat, natKnee: natKnee, mode: mode, other, knee: knee)
        if let n = nat.capacity?.realsAtPerRealRate, let o = other.capacity?.realsAtPerRealRate {
            reason += String(format: " The capacity model, which does not depend on the sweep's steps, has this director "
                + "serving %.1f reals in NAT and %.1f in %@.", n, o, mode)
        }
        return Comparison(mode: mode, verdict: .notShown, reason: reason)
    }

    /// The flat segment that made the other mode's knee, and what the director did there.
    private static func why(nat: ModeSweep, natKnee: Int, mode: String, _ other: ModeSweep, knee: Int) -> String {
        let points = other.points
        guard let i = points.firstIndex(where: { $0.reals == knee }), i + 1 < points.count,
              let first = points.first, first.reals > 0 else {
            return "the sweep's points do not show the segment."
        }
        let a = points[i], b = points[i + 1]
        let perReal = first.rps / Double(first.reals)
        let gain = (b.rps - a.rps) / Double(b.reals - a.reals)
        let segment = String(format: "%@ gained %+.0f req/s per real from %d to %d reals (less than half of one real's %.0f)",
                             mode, gain, a.reals, b.reals, perReal)
        let natBest = nat.points.map(\.rps).max() ?? 0
        let best = points.map(\.rps).max() ?? 0
        let bests = String(format: "its best point %.0f req/s against NAT's %.0f", best, natBest)
        if b.directorCPUPct < DirectorCapacity.saturatedCPUPct {
            return segment + String(format: " with its director at %.0f%% CPU, not saturated: one window's dip on a "
                + "busy machine, not the director's knee; %@.", b.directorCPUPct, bests)
        }
        let natPoint = nat.points.first { $0.reals == natKnee } ?? a
        func perRequest(_ p: SweepPoint) -> Double { p.rps > 0 ? min(p.directorCPUPct, 100) / 100 * 1_000_000 / p.rps : 0 }
        func perPacket(_ p: SweepPoint) -> Double { p.directorPPS > 0 ? min(p.directorCPUPct, 100) / 100 * 1_000_000 / p.directorPPS : 0 }
        func packets(_ p: SweepPoint) -> Double { p.rps > 0 ? p.directorPPS / p.rps : 0 }
        let numbers = String(format: " with its director saturated (%.0f%% CPU). Per request this director spent %.1f µs "
            + "in %@ (%.1f packets of %.1f µs) against %.1f µs in NAT at its knee (%.1f packets of %.1f µs)",
            b.directorCPUPct, perRequest(b), mode, packets(b), perPacket(b), perRequest(natPoint), packets(natPoint),
            perPacket(natPoint))
        let ratio = perRequest(natPoint) > 0 ? perRequest(b) / perRequest(natPoint) : 0
        let offset = ratio >= 0.8
            ? String(format: ", %.2f× NAT's per request: this director's higher cost per packet in %@ offsets the "
                + "replies NAT carries", ratio, mode)
            : ""
        return segment + numbers + offset + "; " + bests + "."
    }
}
