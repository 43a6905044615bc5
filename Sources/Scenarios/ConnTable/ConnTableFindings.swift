import Foundation
import Results

/// conn-table's claims, judged from the director's samples (entries, memory), the censuses in
/// the events' details and the client's intervals.
extension ConnTable {
    public func findings(_ measured: [ScenarioVariant]) -> [ScenarioFinding] {
        [tutorialShrinks(measured), statesHoldingEntries(measured), portBound(measured), memory(measured), failures(measured)]
    }

    /// "defaults/nat/tcp-crr" → ("defaults", "nat/tcp-crr").
    static func split(_ name: String) -> (setting: String, rest: String) {
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        return (parts.first ?? name, parts.count > 1 ? parts[1] : "")
    }

    /// The table's entries at the end of the load (the last director sample).
    static func finalEntries(_ v: ScenarioVariant) -> UInt64? { v.director.last.map(ConnTableGauges.entries) }

    static func peakEntries(_ v: ScenarioVariant) -> UInt64? { v.director.map(ConnTableGauges.entries).max() }

    /// The table's size at a quarter, half, three quarters and the end of the load:
    /// "2.1k, 4.3k, 6.0k, 6.1k".
    static func growth(_ v: ScenarioVariant) -> String {
        guard let end = v.director.last?.t, end > 0 else { return "no samples" }
        return [0.25, 0.5, 0.75, 1].compactMap { share in
            v.director.last { $0.t <= end * share + 1e-9 }.map { "\(ConnTableGauges.entries($0)) at \(Int($0.t.rounded())) s" }
        }.joined(separator: ", ")
    }

    /// The census of the variant's last event, if it took one.
    static func lastCensus(_ v: ScenarioVariant) -> ConnTableCensus? {
        v.events.reversed().lazy.compactMap { ConnTableCensus(describing: $0.what) }.first
    }

    func tutorialShrinks(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "Under the same new-connection load, the LVS tutorial's ipvsadm --set 30 5 60 keeps the connection "
            + "table at most half the size it reaches with the defaults 900 120 300, in every forwarding mode."
        let pairs = measured.filter { Self.split($0.name).setting == "defaults" }.compactMap { d -> (String, ScenarioVariant, ScenarioVariant)? in
            let rest = Self.split(d.name).rest
            return measured.first { Self.split($0.name) == ("tutorial", rest) }.map { (rest, d, $0) }
        }
        guard !pairs.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(needs defaults and tutorial under the same mode and load)")
        }
        var holds = true
        let evidence = pairs.map { rest, d, t -> String in
            let a = Self.finalEntries(d) ?? 0, b = Self.finalEntries(t) ?? 0
            if !(2 * b <= a && a > 0) { holds = false }
            let ratio = b > 0 ? String(format: "%.1f×", Double(a) / Double(b)) : "∞"
            return "\(rest): \(a) entries at the end with the defaults (\(Self.growth(d))) against \(b) with 30 5 60 "
                + "(\(Self.growth(t))), \(ratio) smaller"
        }.joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence + ".")
    }

    /// The state the kernel's tables predict for a connection's leftover entry in each mode.
    static func expectedState(_ rest: String) -> String? {
        switch rest.split(separator: "/").first {
        case "nat": "TIME_WAIT"
        case "dr", "tun": "FIN_WAIT"
        default: nil
        }
    }

    func statesHoldingEntries(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "The entries closed connections leave wait in TIME_WAIT in NAT (the director sees both directions; "
            + "--set does not change TIME_WAIT's 120 s) and in FIN_WAIT in DR (it sees only the client's side; FIN_WAIT's "
            + "timeout is --set's tcpfin)."
        let judged = measured.compactMap { v -> (ScenarioVariant, ConnTableCensus, String)? in
            guard let census = Self.lastCensus(v), let expected = Self.expectedState(Self.split(v.name).rest) else { return nil }
            return (v, census, expected)
        }
        guard !judged.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(no census of the table in a NAT or DR variant)")
        }
        let holds = judged.allSatisfy { $0.1.dominant == $0.2 }
        let evidence = judged.map { v, census, _ in
            "\(v.name): \(census.total) entries, " + census.ranked.prefix(3).map { "\($0.state) \($0.count)" }.joined(separator: ", ")
        }.joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence + ".")
    }

    /// The client's ports connect() uses: Linux (since 4.6) takes ports of one parity from
    /// the range first and leaves the other half to bind(), and with tcp_tw_reuse it reuses
    /// that half before it ever needs the other.
    static var connectPorts: Int { clientPortRange.count / 2 }

    /// Near the bound: the peak lies within this band around the client's connect() ports.
    static let nearBound = 0.8...1.1

    func portBound(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let ports = Self.connectPorts
        let claim = "With one client address and the default timeouts (entries live 120 s), the table stops growing near "
            + "the \(ports) ports the client's connect() uses (half its \(Self.clientPortRange.count)-port range), not at "
            + "the rate times the timeout: a new connection from a reused port takes over that port's old entry."
        let judged = measured.filter { v in
            Self.split(v.name).setting == "defaults" && v.client.reduce(UInt64(0)) { $0 + $1.connectionsOpened } > UInt64(2 * ports)
        }
        guard !judged.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured,
                                   evidence: "(no defaults variant opened twice as many connections as the client has ports: run longer or faster)")
        }
        let holds = judged.allSatisfy { Self.nearBound.contains(Double(Self.peakEntries($0) ?? 0) / Double(ports)) }
        let evidence = judged.map { v in
            let opened = v.client.reduce(UInt64(0)) { $0 + $1.connectionsOpened }, peak = Self.peakEntries(v) ?? 0
            return String(format: "%@: %llu connections opened, peak %llu entries (%.2f of %d)", v.name, opened, peak,
                          Double(peak) / Double(ports), ports)
        }.joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence + ".")
    }

    /// Bytes each entry costs, from the slab cache's object size when the director shows it,
    /// else from the growth of all slab memory against the growth of the table.
    static func bytesPerEntry(_ v: ScenarioVariant) -> (bytes: Double, source: String)? {
        if let size = v.director.lazy.compactMap({ $0.gauges[ConnTableGauges.connObjectBytes] }).first, size > 0 {
            return (size, "ip_vs_conn slab object")
        }
        let withSlab = v.director.filter { $0.gauges[ConnTableGauges.slab] != nil }
        guard let first = withSlab.first, let peak = withSlab.max(by: { ConnTableGauges.entries($0) < ConnTableGauges.entries($1) }) else { return nil }
        let grown = Double(ConnTableGauges.entries(peak)) - Double(ConnTableGauges.entries(first))
        let slab = (peak.gauges[ConnTableGauges.slab]! - first.gauges[ConnTableGauges.slab]!) * 1024
        guard grown >= 1000, slab > 0 else { return nil }
        return (slab / grown, "Slab growth per entry")
    }

    /// Exhausted: MemAvailable fell below this share of what it was when the load started.
    static let exhaustedShare = 0.05

    func memory(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "The connection table this load fills exhausts the director's memory within the run."
        let judged = measured.filter { v in v.director.contains { $0.gauges[ConnTableGauges.memAvailable] != nil } }
        guard !judged.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(no memory gauge from the director)")
        }
        var exhausted = false
        let evidence = judged.map { v -> String in
            let available = v.director.compactMap { $0.gauges[ConnTableGauges.memAvailable] }
            let start = available.first!, low = available.min()!
            if low < Self.exhaustedShare * start { exhausted = true }
            var text = "\(v.name): peak \(Self.peakEntries(v) ?? 0) entries, MemAvailable \(Int(start / 1024)) MiB at the start, "
                + "lowest \(Int(low / 1024)) MiB"
            if let cost = Self.bytesPerEntry(v) {
                text += String(format: ", %.0f bytes per entry (%@): room for about %.1f million entries", cost.bytes, cost.source,
                               start * 1024 / cost.bytes / 1e6)
            }
            return text
        }.joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: exhausted ? .shown : .refuted, evidence: evidence + ".")
    }

    /// Failing: the last third of the fill loses at least this share of its requests.
    static let failingShare = 0.01

    func failures(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "New connections start failing as the table fills: the fill's last third loses at least "
            + "\(Int(Self.failingShare * 100))% of its requests (errors or timeouts) and twice the share of its first third."
        let judged = measured.filter { $0.metrics.faultT != nil && $0.events.count >= 2 }
        guard !judged.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(no variant with a fill between two censuses)")
        }
        var failing = false
        let evidence = judged.map { v -> String in
            let from = v.events[0].t, to = v.events[1].t, third = (to - from) / 3
            let first = v.client.filter { $0.t >= from && $0.t + v.intervalSeconds <= from + third }
            let last = v.client.filter { $0.t >= to - third && $0.t + v.intervalSeconds <= to }
            func share(_ c: [ClientInterval]) -> Double {
                let lost = c.reduce(UInt64(0)) { $0 + $1.lost }, all = c.reduce(UInt64(0)) { $0 + $1.lost + $1.ok }
                return all == 0 ? 0 : Double(lost) / Double(all)
            }
            func p99(_ c: [ClientInterval]) -> String {
                c.compactMap(\.p99US).max().map { String(format: "%.1f ms", $0 / 1000) } ?? "?"
            }
            let early = share(first), late = share(last)
            if late >= Self.failingShare && late >= 2 * early { failing = true }
            var text = String(format: "%@: %.2f%% lost in the fill's first third, %.2f%% in its last; worst interval p99 %@ then %@",
                              v.name, early * 100, late * 100, p99(first), p99(last))
            let rate = Double(v.client.reduce(UInt64(0)) { $0 + $1.connectionsOpened }) / max(v.client.last.map { $0.t + v.intervalSeconds } ?? 1, 1)
            text += String(format: ", %.0f new connections/s", rate)
            if let start = v.client.first(where: { c in
                c.t >= from && Double(c.lost) >= Self.failingShare * Double(c.lost + c.ok) && c.lost > 0
            }) {
                let entries = v.director.last { $0.t <= start.t }.map(ConnTableGauges.entries) ?? 0
                text += String(format: "; first failing interval at %.1f s with %llu entries", start.t, entries)
            }
            return text
        }.joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: failing ? .shown : .refuted, evidence: evidence + ".")
    }
}
