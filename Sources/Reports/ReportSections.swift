import Foundation
import Results
import Vocabulary

/// The report's sections about shares, the director's packets, the sweep and the capacity model.
enum ReportSections {
    /// More reals than this make the share chart's bars too thin to read.
    static let maxChartedReals = 8

    static func shares(_ s: Summary) -> Section {
        let withReals = s.cells.filter { !$0.perReal.isEmpty }
        let labels = ReportContent.labels(withReals)
        let rows = zip(labels, withReals).map { label, c -> [String] in
            let worst = c.perReal.map { ($0.observedShare - $0.expectedShare) * 100 }.max { abs($0) < abs($1) } ?? 0
            return [label, c.perReal.map { String($0.weight) }.joined(separator: " : "),
                    c.perReal.map { String(format: "%.1f", $0.expectedShare * 100) }.joined(separator: " / "),
                    c.perReal.map { String(format: "%.1f", $0.observedShare * 100) }.joined(separator: " / "),
                    String(format: "%+.1f", worst), Format.grouped(c.perReal.map(\.ipvsConns).reduce(0, +))]
        }
        let worst = s.cells.flatMap { c in c.perReal.map { ($0, c) } }
            .max { abs($0.0.observedShare - $0.0.expectedShare) < abs($1.0.observedShare - $1.0.expectedShare) }
        var blocks: [Section.Block] = []
        if let (r, c) = worst {
            blocks.append(.paragraph(String(format: "Largest deviation from the weights: %.1f points (%@ in %@/%@).",
                                            abs(r.observedShare - r.expectedShare) * 100, r.name, c.mode.rawValue, c.scheduler.rawValue)))
        }
        let conns = s.cells.allSatisfy { $0.balancer == .ipvs } ? "IPVS conns" : "balancer conns"
        blocks.append(.table(Table(header: ["cell", "weights", "expected share %", "observed share %", "worst Δ points",
                                              conns], rows: rows, numeric: [4, 5])))
        let names = withReals.flatMap { c -> [String] in c.perReal.map(\.name) }.uniqued()
        if names.count > maxChartedReals {
            blocks.append(.paragraph("No share chart: \(names.count) reals are more bars than a chart can show legibly; "
                + "the table above has every share."))
        } else if !withReals.isEmpty {
            let series = names.map { name in
                BarChart.Series(name: name,
                                values: withReals.map { c in c.perReal.first { $0.name == name }?.observedShare ?? .nan }
                                    .map { $0 * 100 },
                                targets: withReals.map { c in c.perReal.first { $0.name == name }.map { $0.expectedShare * 100 } })
            }
            blocks.append(.chart(BarChart(title: "Share of connections per real against its weight",
                                          yLabel: "share of connections, %", categories: labels,
                                          series: series, valueLabel: nil,
                                          targetLegend: "share the weight promises").svg()))
        }
        return Section(title: "Shares per real vs weight", blocks: blocks)
    }

    static func director(_ s: Summary) -> Section {
        let labels = ReportContent.labels(s.cells)
        // A UML guest accounts no softirq time: a 0% there would read as "idle" when it is not.
        let softirqAccounted = s.directorHost != "uml"
        let rows = zip(labels, s.cells).map { label, c -> [String] in
            let d = c.director, w = max(d.windowSeconds, 1e-9)
            return [label, Format.count(Double(d.inPkts) / w),
                    Format.count(Double(d.outPkts) / w), Format.byteRate(Double(d.inBytes) / w),
                    Format.byteRate(Double(d.outBytes) / w), String(format: "%.0f%%", d.cpuBusyPct),
                    softirqAccounted ? String(format: "%.0f%%", d.cpuSoftirqPct) : "n/a",
                    d.repliesCrossedDirector ? "yes" : "no"]
        }
        var lines: [String] = []
        for mode in s.cells.map(\.mode.rawValue).uniqued() {
            let cells = s.cells.filter { $0.mode.rawValue == mode }
            let crossed = cells.filter { $0.director.repliesCrossedDirector }.count
            if crossed == 0 {
                lines.append("\(mode): replies did not cross the director (out packets 0 in every cell): "
                    + "the reals answered the clients directly.")
            } else if crossed == cells.count {
                lines.append("\(mode): replies crossed the director (out packets > 0 in every cell): "
                    + "it carries both directions.")
            } else {
                lines.append("\(mode): replies crossed the director in \(crossed) of \(cells.count) cells.")
            }
        }
        lines.append("CPU busy is the share of one director CPU not idle during the window"
            + (softirqAccounted ? "; softirq CPU the share spent processing packets in softirq."
                                : "; softirq CPU is n/a because a user-mode Linux guest does not account softirq time "
                                + "(its packet work shows as busy CPU)."))
        let rate = { (c: Cell, v: Int) in Double(v) / max(c.director.windowSeconds, 1e-9) }
        let counters = s.cells.allSatisfy { $0.balancer == .ipvs } ? "IPVS counters" : "balancer counters"
        let pkts = BarChart(title: "Director packets per second by direction (\(counters))",
                            yLabel: "packets per second", categories: labels,
                            series: [.init(name: "in: client → real", values: s.cells.map { rate($0, $0.director.inPkts) }),
                                     .init(name: "out: real → client", values: s.cells.map { rate($0, $0.director.outPkts) })],
                            valueLabel: { SVG.short($0) })
        let bytes = BarChart(title: "Director bytes per second by direction (\(counters))",
                             yLabel: "bytes per second", categories: labels,
                             series: [.init(name: "in: client → real", values: s.cells.map { rate($0, $0.director.inBytes) }),
                                      .init(name: "out: real → client", values: s.cells.map { rate($0, $0.director.outBytes) })],
                             valueLabel: { SVG.short($0) })
        return Section(title: "Director packets per direction", blocks: [
            .bullets(lines),
            .table(Table(header: ["cell", "in pkts/s", "out pkts/s", "in bytes/s", "out bytes/s", "CPU busy",
                                  "softirq CPU", "replies via director"], rows: rows, numeric: [1, 2, 3, 4, 5, 6])),
            .chart(pkts.svg()), .chart(bytes.svg()),
        ])
    }

    static func sweep(_ s: Summary, _ sweep: [String: ModeSweep]) -> Section {
        var blocks: [Section.Block] = []
        let modes = modeOrder(sweep.keys)
        var knees: [String] = []
        for mode in modes {
            let m = sweep[mode]!
            let range = "\(m.points.first?.reals ?? 0)–\(m.points.last?.reals ?? 0)"
            knees.append(m.kneeReals.map { "\(mode): knee at \($0) reals — adding reals beyond it adds little throughput." }
                ?? "\(mode): no knee within \(range) reals — the director did not saturate in this range.")
        }
        if let order = KneeOrder.judge(sweep) {
            knees.append("NAT's knee first (the director carries NAT's replies, not DR's or TUN's): "
                + "\(order.verdict.rawValue). " + order.comparisons.map { "\($0.mode): \($0.reason)" }.joined(separator: " "))
        }
        blocks.append(.bullets(knees))
        for mode in modes {
            let rows = sweep[mode]!.points.map { p in
                [String(p.reals), Format.count(p.rps), Format.byteRate(p.bytesPerSecond), Format.count(p.cps),
                 Format.micros(p.p99US), Format.count(p.directorPPS), String(format: "%.0f%%", p.directorCPUPct)]
            }
            blocks.append(.paragraph("\(mode):"))
            blocks.append(.table(Table(header: ["reals", "req/s", "served bytes/s", "conn/s", "p99", "director pkts/s",
                                                "director CPU"], rows: rows, numeric: [0, 1, 2, 3, 4, 5, 6])))
            if let cost = ForwardCostSection.sweepRows(sweep[mode]!.points) {
                blocks.append(.paragraph("\(mode), the same director with and without IPVS (plain forwarding to real1 "
                    + "with its cap lifted, half a window after each point's window). Compare the two only where "
                    + "director CPU is near 100% on both sides (at and past the knee): below it the IPVS side runs at "
                    + "low load, where an emulated director's cost per packet is several times higher, so the "
                    + "difference there is not IPVS's cost."))
                blocks.append(.table(cost))
            }
        }
        var series: [LineChart.Series] = []
        for mode in modes {
            let m = sweep[mode]!
            series.append(.init(name: mode, points: m.points.map { (Double($0.reals), $0.rps) },
                                mark: m.kneeReals.map { (Double($0), "\(mode) knee: \($0) reals") }))
        }
        if let first = modes.compactMap({ sweep[$0]?.points.first }).first, first.reals > 0 {
            let perReal = first.rps / Double(first.reals)
            let maxReals = modes.compactMap { sweep[$0]?.points.last?.reals }.max() ?? first.reals
            series.append(.init(name: "linear growth (\(Format.count(perReal)) req/s per real)",
                                points: [(0, 0), (Double(maxReals), perReal * Double(maxReals))], isReference: true))
        }
        blocks.append(.chart(LineChart(title: "Sweep: total throughput as reals are added (knee marked)",
                                       xLabel: "number of reals", yLabel: "requests per second", series: series).svg()))
        return Section(title: "Sweep: where the director saturates", blocks: blocks)
    }

    static func capacity(_ s: Summary, _ sweep: [String: ModeSweep]) -> Section {
        let rate = s.lab.realRateBytesPerSecond
        var rows: [[String]] = []
        for mode in modeOrder(sweep.keys) {
            guard let c = sweep[mode]?.capacity else {
                let largest = sweep[mode]?.points.last?.reals ?? 0
                rows.append(["\(mode), this run", "–", "–", "–", "–", "–", "–",
                             "not saturated: ≥ \(largest) (largest count tried)", "–", "–"])
                continue
            }
            // A summary written before the plain side had to saturate still carries a cost;
            // the point rule decides, so the table and the verdicts agree.
            let unsaturated = unsaturatedReference(sweep[mode]!) != nil
            rows.append(["\(mode), this run", Format.count(c.averagePacketBytes), String(format: "%.1f", c.microsecondsPerPacket),
                         Format.count(c.packetsPerSecond), Format.byteRate(c.bytesPerSecond), Format.count(c.connectionsPerSecond),
                         String(format: "%.0f%%", c.cpuPct),
                         c.realsAtPerRealRate.map { String(format: "%.1f at %@", $0, Format.byteRate(c.perRealBytesPerSecond ?? 0)) } ?? "–",
                         unsaturated ? "not measured" : c.ipvsMicrosecondsPerPacket.map { String(format: "%+.1f", $0) } ?? "–",
                         unsaturated ? "not measured (plain reference below saturation)"
                             : c.realsIPVSAlone.map { String(format: "%.0f", $0) }
                             ?? (c.ipvsMicrosecondsPerPacket != nil ? "not measurable (cost ≤ 0, within noise)" : "–")])
        }
        let p = LVSPaper2000.self
        var paperReals = String(format: "%.1f at %@ (paper says %d)", p.natReals(perRealBytesPerSecond: p.perRealBytesPerSecond),
                                Format.byteRate(p.perRealBytesPerSecond), p.natRealsStated)
        if let rate, rate != p.perRealBytesPerSecond {
            paperReals += String(format: "; %.1f at %@", p.natReals(perRealBytesPerSecond: rate), Format.byteRate(rate))
        }
        rows.append(["nat, LVS paper 2000 (Pentium)", Format.count(p.averagePacketBytes), String(format: "%.0f", p.microsecondsPerPacket),
                     Format.count(p.natPacketsPerSecond), Format.byteRate(p.natBytesPerSecond), "–", "100% (assumed)", paperReals,
                     String(format: "%.0f (all of it)", p.microsecondsPerPacket), "–"])
        rows.append(["dr/tun, LVS paper 2000", "–", "–", "–", "–", "–", "–", "over \(p.tunDrRealsStated) (stated)", "–", "–"])
        var verdicts: [String] = []
        for mode in modeOrder(sweep.keys) {
            guard let m = sweep[mode] else { continue }
            let largest = m.points.last?.reals ?? 0
            if let c = m.capacity, let reals = c.realsAtPerRealRate, let r = c.perRealBytesPerSecond {
                let at20 = reals < 20 ? "fewer than 20: at ~20 reals this director is the bottleneck"
                    : "20 or more: at ~20 reals this director is not the bottleneck"
                verdicts.append(String(format: "%@: at %@ per real this director serves about %.1f reals — %@.",
                                       mode, Format.byteRate(r), reals, at20))
                let point = DirectorCapacity.costPoint(points: m.points, kneeReals: m.kneeReals ?? 0)?.plainForward
                if point == nil, let reason = unsaturatedReference(m) {
                    verdicts.append("\(mode): \(reason)")
                } else if let alone = c.realsIPVSAlone, let cost = c.ipvsMicrosecondsPerPacket, let f = point {
                    verdicts.append(String(format: "%@: IPVS's own cost at saturation is %.1f µs per packet (median "
                        + "point at or past the knee: director %.1f µs/packet with IPVS, %.1f plain-forwarding): a director spending only that on each packet "
                        + "would serve about %.0f reals at %@ (the paper: %d for NAT).", mode, cost,
                        f.usPerPacketIPVS, f.usPerPacketPlain, alone, Format.byteRate(r), LVSPaper2000.natRealsStated))
                } else if let cost = c.ipvsMicrosecondsPerPacket {
                    verdicts.append(String(format: "%@: IPVS's own cost at saturation measured %+.1f µs per packet: "
                        + "not above the noise, so no \"IPVS alone\" capacity is computed.", mode, cost))
                }
            } else if m.kneeReals == nil {
                verdicts.append("\(mode): no saturation up to \(largest) reals — the director is not the bottleneck in this range.")
            }
        }
        return Section(title: "Capacity model, next to the original LVS paper", blocks: [
            .bullets(verdicts),
            .paragraph("Same arithmetic for both: capacity = average packet size ÷ CPU time per packet "
                + "(here: director CPU busy ÷ packets per second at saturation); reals served = throughput at "
                + "saturation ÷ per-real rate. The paper assumed 536-byte packets and 60 µs per packet rewrite on a "
                + "Pentium, so 8.93 MB/s, and 400 kB/s per real, so 22 reals for VS/NAT."),
            .paragraph("Two answers per mode: \"reals at per-real rate\" is what this director (an emulated one-CPU "
                + "guest) serves; \"reals, IPVS alone\" is what a director would serve if each packet cost it only "
                + "IPVS's marginal cost (µs/packet with IPVS minus the same director plain-forwarding, measured in the "
                + "same sweep), at 100% of one CPU — the emulator's own cost per packet taken out. That marginal "
                + "cost is itself measured on the emulated CPU, so it is inflated too: read \"reals, IPVS alone\" "
                + "as a floor for what IPVS allows, not a prediction for hardware."),
            .table(Table(header: ["director", "avg packet B", "µs/packet", "pkts/s", "bytes/s", "conn/s", "CPU",
                                  "reals at per-real rate", "IPVS µs/packet", "reals, IPVS alone"], rows: rows,
                         numeric: [1, 2, 3, 4, 5, 6, 8])),
            .paragraph("Source: \(p.citation)."),
        ])
    }
}

/// Why a sweep with a plain-forward reference has no IPVS cost at saturation: the reference
/// never saturated the director at or past the knee (nil when it did, or was not measured).
func unsaturatedReference(_ m: ModeSweep) -> String? {
    let cpus = m.points.filter { $0.reals >= (m.kneeReals ?? 0) }.compactMap { $0.plainForward?.plainCPUPct }
    guard let low = cpus.min(), let high = cpus.max(), high < DirectorCapacity.saturatedCPUPct else { return nil }
    return String(format: "IPVS's own cost per packet is not measured at saturation: at and past the knee the "
        + "plain-forward reference (one uncapped real) kept the director at only %.0f–%.0f%% CPU, against at least "
        + "%.0f%% for a saturated point (in DR and TUN the replies bypass the director, so one real cannot load "
        + "it), and an emulated director's cost per packet depends on its load. No \"IPVS alone\" capacity is "
        + "computed; the per-point table above has both sides.", low, high, DirectorCapacity.saturatedCPUPct)
}

/// Forwarding modes in the order a reader expects (nat, dr, tun, mixed), others after.
func modeOrder<S: Sequence>(_ modes: S) -> [String] where S.Element == String {
    let known = ["nat", "dr", "tun", "mixed"]
    return modes.sorted { a, b in
        let ia = known.firstIndex(of: a) ?? known.count, ib = known.firstIndex(of: b) ?? known.count
        return ia != ib ? ia < ib : a < b
    }
}

extension Array where Element: Hashable {
    /// The elements in first-seen order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
