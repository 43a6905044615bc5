import Foundation
import Results

/// The report's part for `lvsbench scale`: per balancer a table of its points and a verdict
/// on the kube-proxy claim, and (HTML) curves of programming time and setup latency over N.
enum ScaleSection {
    /// Balancers in the order the claim names them, others after.
    static func order(_ keys: some Collection<String>) -> [String] {
        let known = ["iptables", "nftables", "ipvs", "haproxy"]
        return known.filter(keys.contains) + keys.filter { !known.contains($0) }.sorted()
    }

    static func section(_ s: Summary, _ scale: [String: ScaleCurve]) -> Section {
        let balancers = order(scale.keys)
        var blocks: [Section.Block] = [
            .paragraph("The claim (kube-proxy's reason to leave iptables): iptables grows with N, nftables and IPVS "
                + "stay flat. For each N the balancer holds N virtual services, N - 1 fillers and the measured one "
                + "installed last, so a balancer that matches rules in order walks past every filler; the lab's "
                + "service on its other port stays installed ahead of them. Programming is the wall clock of the "
                + "balancer's own commands for all N services (in batch where the balancer has one); the change is "
                + "one real's weight on the measured service at N; setup latency is the load generator's latency "
                + "of one request on a new connection. A balancer grows when p50 at the largest N exceeds "
                + "\(Format.ratio(ScaleVerdict.latencyLimit))× p50 at the smallest, its programming when the time "
                + "per service exceeds \(Format.ratio(ScaleVerdict.programLimit))× the smallest's. Programming "
                + "per service at N = 1 is mostly one process start, so that ratio falls where programming is flat. "
                + "Director CPU includes the collector reading the director's IPVS service table and every real's "
                + "counters every half second, which itself grows with N for IPVS."),
            .bullets(balancers.map { verdictLine($0, scale[$0]!) }),
        ]
        for balancer in balancers {
            blocks.append(.paragraph("\(balancer) (\(scale[balancer]!.load)):"))
            blocks.append(.table(table(scale[balancer]!)))
        }
        blocks.append(.chart(chart(scale, balancers, title: "Programming time for N services", yLabel: "seconds",
                                   values: [("", \.programSeconds)])))
        blocks.append(.chart(chart(scale, balancers, title: "Connection setup latency to the measured service (p50 and p99)",
                                   yLabel: "microseconds", values: [(" p50", \.p50US), (" p99", \.p99US)])))
        return Section(title: "Scale: 1 to 10,000 virtual services", blocks: blocks)
    }

    /// One line per balancer: the two ratios, grows or flat, and whether the claim holds for it.
    static func verdictLine(_ balancer: String, _ curve: ScaleCurve) -> String {
        guard let v = curve.verdict else {
            return "\(balancer): fewer than two counts of services measured; no verdict."
        }
        let latency = v.latencyGrows ? "setup latency grows" : "setup latency stays flat"
        let program = v.programmingGrows ? "programming per service grows" : "programming per service stays flat"
        let claim: String
        switch balancer {
        case "iptables", "nftables", "ipvs":
            claim = v.matchesClaim(for: balancer) ? "as the claim says" : "NOT as the claim says"
        default:
            claim = "not part of the claim"
        }
        return "\(balancer): \(latency) (p50 ×\(Format.ratio(v.latencyRatio)) from \(Format.grouped(v.smallest)) to "
            + "\(Format.grouped(v.largest)) services), \(program) (×\(Format.ratio(v.programRatio))): \(claim)."
    }

    static func table(_ curve: ScaleCurve) -> Table {
        let rows = curve.points.map { p in
            [Format.grouped(p.services), seconds(p.programSeconds), Format.micros(p.programSecondsPerService * 1e6),
             seconds(p.changeSeconds), seconds(p.removeSeconds), Format.micros(p.p50US), Format.micros(p.p99US),
             Format.count(p.connectionsPerSecond), String(format: "%.0f%%", p.directorCPUPct), String(p.errors)]
        }
        return Table(header: ["services", "program", "per service", "change", "remove fillers", "p50 setup",
                              "p99 setup", "conn/s", "director CPU", "errors"],
                     rows: rows, numeric: Set(0..<10))
    }

    /// "0.012 s", "3.40 s".
    static func seconds(_ s: Double) -> String {
        guard s.isFinite else { return "–" }
        return s >= 1 ? String(format: "%.2f s", s) : String(format: "%.3f s", s)
    }

    /// Curves over log10(N): LineChart's x axis is linear, and 1 to 10,000 services on a
    /// linear axis would put every point but the last at its left edge.
    static func chart(_ scale: [String: ScaleCurve], _ balancers: [String], title: String, yLabel: String,
                      values: [(suffix: String, value: KeyPath<ScalePoint, Double>)]) -> String {
        let series = balancers.flatMap { b in
            values.map { v in
                LineChart.Series(name: b + v.suffix, points: scale[b]!.points.map {
                    (log10(Double(max($0.services, 1))), $0[keyPath: v.value])
                })
            }
        }
        return LineChart(title: title, xLabel: "log10 of the number of services (0 = 1, 2 = 100, 4 = 10,000)",
                         yLabel: yLabel, series: series).svg()
    }
}
