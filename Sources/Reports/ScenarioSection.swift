import Foundation
import Results

/// The report's part for `lvsbench scenario`: the claims and their verdicts first, then the
/// variants side by side (what was lost, for how long, p99 around the fault, where the
/// director kept sending connections), the timelines as charts, and each variant's events.
enum ScenarioSection {
    static func sections(_ s: Summary, _ r: ScenarioResult) -> [Section] {
        var out: [Section] = []
        if !r.findings.isEmpty {
            out.append(Section(title: "Findings", blocks: [.bullets(r.findings.map(findingLine))]))
        }
        out.append(Section(title: "Variants side by side", blocks: [
            .paragraph("Each variant ran in a lab of its own, built fresh, under the same open-loop load; the fault "
                + "came at the time shown. Lost = requests that failed (reset, refused, cut) or timed out from the "
                + "fault on. Recovered = from the fault to the first interval after which no request was lost and "
                + "throughput stayed at \(Int(VariantMetrics.recoveredShare * 100))% of the median before the fault "
                + "(\"no\" when that never happened within the run). p99 before and after are medians of the "
                + "intervals' p99; during is the worst interval's. Scheduled = new connections the director sent to the "
                + "faulty real from the end of the fault's steps on: SYNs it forwarded to the real, counted on its link "
                + "(marked *: IPVS's own Conns counter, which the kernel updates only every 2 s); in brackets, those "
                + "that repeated a client address and port the real had already had: a retransmission or a reused "
                + "port following its old connection entry, not the scheduler's choice; answered = responses "
                + "the client got from it."),
            .table(table(r.variants)),
        ]))
        if !r.variants.isEmpty {
            out.append(Section(title: "Timelines", blocks: charts(r.variants).map { .chart($0) }))
        }
        out.append(Section(title: "What each variant did", blocks: [.bullets(r.variants.map(eventLine))]))
        return out
    }

    static func findingLine(_ f: ScenarioFinding) -> String {
        let verdict: String
        switch f.verdict {
        case .shown: verdict = "SHOWN"
        case .refuted: verdict = "REFUTED"
        case .notMeasured: verdict = "NOT MEASURED"
        }
        return "\(verdict): \(f.claim) \(f.evidence)"
    }

    static func table(_ variants: [ScenarioVariant]) -> Table {
        let rows = variants.map { v -> [String] in
            let m = v.metrics
            return [v.name, m.faultT.map { String(format: "%.1f s", $0) } ?? "–", Format.count(m.baselineRPS),
                    "\(m.lostAfterFault) (\(m.failedAfterFault) failed, \(m.timedOutAfterFault) timed out)",
                    m.faultT == nil ? "–" : m.recoverySeconds.map { String(format: "%.2f s", $0) } ?? "no",
                    String(format: "%.2f s", m.disruptedSeconds),
                    m.p99BeforeUS.map(Format.micros) ?? "–", m.p99DuringUS.map(Format.micros) ?? "–",
                    m.p99AfterUS.map(Format.micros) ?? "–",
                    m.scheduledToFaultyReal.map { total in
                        String(total) + (m.scheduledSource == "ipvs-stats" ? "*" : "")
                            + (m.repeatedSynsToFaultyReal.map { $0 > 0 ? " (\($0) repeated)" : "" } ?? "")
                    } ?? "–",
                    m.answeredByFaultyReal.map(String.init) ?? "–",
                    m.brokenConnections.map { "\($0) of \(m.connections)" } ?? "–"]
        }
        return Table(header: ["variant", "fault at", "req/s before", "lost after fault", "recovered", "disrupted",
                              "p99 before", "p99 during", "p99 after", "scheduled to faulty real",
                              "answered by faulty real", "broken connections"],
                     rows: rows, numeric: Set([2, 5, 6, 7, 8, 9, 10]))
    }

    static func eventLine(_ v: ScenarioVariant) -> String {
        let events = v.events.map { String(format: "at %.2f s: ", $0.t) + $0.what }
        let parts = [v.description, "Load: \(v.load), timeline in \(Int(v.intervalSeconds * 1000)) ms intervals."]
            + events + v.notes
        return "\(v.name): " + parts.joined(separator: " ")
    }

    /// Lost requests and responses per second, one line per variant; and the director's
    /// connection-table entries pointing at the faulty real where the variant read them.
    static func charts(_ variants: [ScenarioVariant]) -> [String] {
        func perSecond(_ v: ScenarioVariant, _ value: (ClientInterval) -> UInt64) -> [(x: Double, y: Double)] {
            v.client.map { (x: $0.t, y: Double(value($0)) / v.intervalSeconds) }
        }
        let x = "seconds from the start of the load (the fault at the marked point)"
        func marked(_ v: ScenarioVariant, _ points: [(x: Double, y: Double)]) -> LineChart.Series {
            let fault = v.metrics.faultT.flatMap { t in points.last { $0.x <= t } }
            return LineChart.Series(name: v.name, points: points, mark: fault.map { (x: $0.x, label: "fault") })
        }
        var charts = [
            LineChart(title: "Requests lost per second (failed + timed out)", xLabel: x, yLabel: "requests per second",
                      series: variants.map { marked($0, perSecond($0, \.lost)) }).svg(),
            LineChart(title: "Responses per second", xLabel: x, yLabel: "responses per second",
                      series: variants.map { marked($0, perSecond($0, \.ok)) }).svg(),
        ]
        let syns = variants.compactMap { v -> LineChart.Series? in
            guard let real = v.metrics.faultyRealName, let wire = v.wire else { return nil }
            return marked(v, wire.map { (x: $0.t, y: Double($0.syns[real] ?? 0) / v.intervalSeconds) })
        }
        if !syns.isEmpty {
            charts.append(LineChart(title: "New connections sent to the faulty real per second (SYNs the director forwarded)",
                                    xLabel: x, yLabel: "SYNs per second", series: syns).svg())
        }
        let table = variants.compactMap { v -> LineChart.Series? in
            guard let real = v.metrics.faultyReal else { return nil }
            let points = v.director.compactMap { d in d.reals[real]?.tableEntries.map { (x: d.t, y: Double($0)) } }
            return points.isEmpty ? nil : LineChart.Series(name: v.name, points: points)
        }
        if !table.isEmpty {
            charts.append(LineChart(title: "Director: connection-table entries pointing at the faulty real",
                                    xLabel: "seconds from the start of the load", yLabel: "entries", series: table).svg())
        }
        return charts
    }
}
