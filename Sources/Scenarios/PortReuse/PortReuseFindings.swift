import Foundation
import Results

/// port-reuse's claims, each judged from the variants' figures. A claim whose variants did
/// not run (or whose director counts were not final) is not measured.
enum PortReuseFindings {
    /// Uncounted shares at or above this mean "the reused ports ride old entries".
    static let ridesShare = 0.5
    /// At or below this, "every connection was scheduled afresh" (a few connections of the
    /// load's last instants and of failed connects aside).
    static let rescheduledShare = 0.05
    /// A share of the answers after the weight change that still counts as "none" (requests
    /// already in flight at the change).
    static let noneShare = 0.01

    static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }

    static func latency(_ us: Double) -> String {
        us >= 1_000_000 ? String(format: "%.2f s", us / 1e6) : String(format: "%.1f ms", us / 1e3)
    }

    /// "IPVS counted 102 of 800 connections the client opened (87.3% rode an old entry)".
    static func counting(_ f: PortReuseFigures) -> String {
        guard let counted = f.counted, let share = f.uncountedShare else {
            return "\(f.name): IPVS's final count not read (no director sample \(Int(PortReuse.estimatorSeconds)) s after the load)"
        }
        let wire = f.wireSyns.map { ", \($0) SYNs forwarded on the wire" } ?? ""
        return "\(f.name): IPVS counted \(counted) new connections of \(f.opened) the client opened "
            + "(\(percent(share)) rode an old entry)\(wire), \(f.lost) requests lost"
    }

    static func rescheduling(_ figures: [PortReuseFigures]) -> ScenarioFinding {
        let claim = "conn_reuse_mode=0 never reschedules a reused port: its SYN rides the old entry to the old real "
            + "and IPVS does not count it as a new connection; modes 1 and 3 reschedule it (behind a NAT director "
            + "the old entry is in TIME_WAIT by then), conntrack on or off."
        let nat = figures.filter { !$0.isDR && $0.reuseMode != nil }
        let zero = nat.filter { $0.reuseMode == 0 }, other = nat.filter { $0.reuseMode != 0 }
        guard !zero.isEmpty, !other.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(needs a mode-0 and a mode-1 or mode-3 NAT variant)")
        }
        let evidence = nat.map(counting).joined(separator: "; ") + "."
        guard nat.allSatisfy({ $0.uncountedShare != nil }) else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: evidence)
        }
        let holds = zero.allSatisfy { $0.uncountedShare! >= ridesShare }
            && other.allSatisfy { $0.uncountedShare! <= rescheduledShare }
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence)
    }

    static func tail(_ f: PortReuseFigures) -> String {
        let retrans = f.synRetransmits.map { "\($0) SYN retransmissions" } ?? "SYN retransmissions not read"
        let worst = f.worstP99US.map { "worst interval p99 \(latency($0))" } ?? "no interval p99"
        let slow = f.slowIntervals.isEmpty
            ? "no interval with p99 ≥ 900 ms (so under 1% of each interval's requests took that long)"
            : "\(f.slowIntervals.count) intervals with p99 ≥ 900 ms (at least \(f.slowLowerBound) requests slower than 900 ms)"
        let conntrack = f.conntrack ? f.maxConntrackEntries.map { ", director conntrack up to \(Int($0)) entries" } ?? ", director conntrack not readable" : ""
        return "\(f.name): \(retrans) in \(f.opened) connections, \(worst), \(slow), \(f.variant.client.reduce(0) { $0 + $1.timedOut }) timed out\(conntrack)"
    }

    static func synDelays(_ figures: [PortReuseFigures]) -> ScenarioFinding {
        let claim = "kubernetes#70747 (kernels before 5.9): with conntrack=1 and conn_reuse_mode=1, a SYN that reuses "
            + "a port still in the director's table is dropped, so the client waits ~1 s to retransmit it."
        let rescheduling = figures.filter { f in (f.reuseMode ?? 0) != 0 && f.conntrack }
        guard !rescheduling.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(needs mode-1-conntrack or mode-3-conntrack)")
        }
        let evidence = figures.filter { $0.reuseMode != nil }.map(tail).joined(separator: "; ")
            + ". The load generator's timeline keeps a p99 per interval, not a histogram: the count of requests "
            + "slower than 900 ms is derived from the interval p99s; the client kernel's SYN retransmissions count "
            + "the delayed connections directly."
        guard rescheduling.allSatisfy({ $0.synRetransmits != nil }) else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: evidence)
        }
        let delayed = rescheduling.contains { f in
            Double(f.synRetransmits!) >= 0.01 * Double(max(f.opened, 1)) && (f.worstP99US ?? 0) >= PortReuseFigures.slowUS
        }
        return ScenarioFinding(claim: claim, verdict: delayed ? .shown : .refuted, evidence: evidence)
    }

    static func quiesced(_ f: PortReuseFigures) -> String {
        guard let a = f.answeredByQuiesced, let real = f.quiescedName else { return "\(f.name): no weight change measured" }
        var text = "\(f.name): \(real) answered \(a.byReal) of \(a.all) requests after its weight went to 0"
        if let share = f.quiescedShare { text += " (\(percent(share)))" }
        if let director = f.quiescedAtHorizon {
            text += "; the director then held \(director.entries.map(String.init) ?? "?") table entries and "
                + "\(director.connections.map(String.init) ?? "?") active+inactive connections for it"
        }
        if let syns = f.synsToQuiesced { text += "; it forwarded \(syns) SYNs to it after the change (on the wire)" }
        if let counted = f.countedForQuiesced { text += " and counted \(counted) new connections for it (IPVS Conns)" }
        return text
    }

    static func quiescedReal(_ figures: [PortReuseFigures]) -> ScenarioFinding {
        let claim = "kubernetes#81775: under conn_reuse_mode=0, reused ports keep reaching a real set to weight 0 "
            + "(they ride its old entries, uncounted); modes 1 and 3 send it no new connection (NAT)."
        let nat = figures.filter { !$0.isDR && $0.reuseMode != nil }
        let zero = nat.filter { $0.reuseMode == 0 }, other = nat.filter { $0.reuseMode != 0 }
        guard !zero.isEmpty, !other.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(needs a mode-0 and a mode-1 or mode-3 NAT variant)")
        }
        let dr = figures.filter(\.isDR)
        var evidence = nat.map(quiesced).joined(separator: "; ")
        if !dr.isEmpty { evidence += ". In DR: " + dr.map(quiesced).joined(separator: "; ") }
        evidence += "."
        guard (zero + other).allSatisfy({ $0.quiescedShare != nil }) else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: evidence)
        }
        let holds = zero.allSatisfy { $0.quiescedShare! > 5 * noneShare } && other.allSatisfy { $0.quiescedShare! <= noneShare }
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence)
    }

    static func directRouting(_ figures: [PortReuseFigures]) -> ScenarioFinding {
        let claim = "Earlier finding (the collector's DR test): with the default conn_reuse_mode=1 a DR director does "
            + "not count a fast port reuse as a new connection (its SYN rides the FIN_WAIT entry, the last state a "
            + "DR director sees; ~15% of the connections were missed there); bit 2 (mode 3) counts them all."
        let one = figures.filter { $0.isDR && $0.reuseMode == 1 }, three = figures.filter { $0.isDR && $0.reuseMode == 3 }
        guard !one.isEmpty, !three.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(needs dr-mode-1 and dr-mode-3)")
        }
        let evidence = (one + three).map { f in
            var text = counting(f)
            if f.opened > UInt64(PortReuse.portCount) {
                text += " (the range has \(PortReuse.portCount) ports, so at least \(f.opened - UInt64(PortReuse.portCount)) "
                    + "of the connections reused one)"
            }
            return text
        }.joined(separator: "; ") + "."
        guard (one + three).allSatisfy({ $0.uncountedShare != nil }) else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: evidence)
        }
        let holds = one.allSatisfy { $0.uncountedShare! > rescheduledShare } && three.allSatisfy { $0.uncountedShare! <= rescheduledShare }
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence)
    }
}
