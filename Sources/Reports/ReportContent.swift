import Foundation
import Results
import Vocabulary

/// A plain table: a header and rows of already formatted cells.
public struct Table: Equatable {
    public var header: [String]
    public var rows: [[String]]
    /// Columns holding numbers, right-aligned by both renderers.
    public var numeric: Set<Int>

    public init(header: [String], rows: [[String]], numeric: Set<Int> = []) {
        self.header = header
        self.rows = rows
        self.numeric = numeric
    }
}

/// One part of a report: a heading, some paragraphs, tables and (HTML only) charts.
public struct Section {
    public enum Block {
        case paragraph(String)
        case bullets([String])
        case table(Table)
        case chart(String)
    }

    public var title: String
    public var blocks: [Block]
}

/// What the report says, independent of Markdown or HTML: both renderers walk these sections,
/// so the two files never disagree. Figures are formatted here, once.
public enum ReportContent {
    public static func sections(for s: Summary) -> [Section] {
        var out = [question(s), setup(s)]
        if !s.cells.isEmpty {
            out.append(cells(s))
            out.append(ReportSections.shares(s))
            out.append(ReportSections.director(s))
            if let cost = ForwardCostSection.cells(s) { out.append(cost) }
        }
        if let skipped = notMeasured(s) { out.append(skipped) }
        if let sweep = s.sweep, !sweep.isEmpty {
            out.append(ReportSections.sweep(s, sweep))
            out.append(ReportSections.capacity(s, sweep))
        }
        if let scale = s.scale, !scale.isEmpty { out.append(ScaleSection.section(s, scale)) }
        if let scenario = s.scenario { out += ScenarioSection.sections(s, scenario) }
        out.append(caveats(s))
        return out
    }

    public static func title(for s: Summary) -> String { "lvsbench report: \(s.name)" }

    /// One line on whether the numbers are the whole run.
    public static func status(for s: Summary) -> String {
        let points = s.sweep?.values.map(\.points.count).reduce(0, +) ?? 0
        let scalePoints = s.scale?.values.map(\.points.count).reduce(0, +) ?? 0
        let variants = s.scenario?.variants.count ?? 0
        var parts: [String] = []
        if s.scenario != nil { parts.append("\(variants) variants of scenario \(s.scenario!.scenario)") }
        if !s.cells.isEmpty || points + scalePoints == 0 && s.scenario == nil { parts.append("\(s.cells.count) cells") }
        if points > 0 { parts.append("\(points) sweep points") }
        if scalePoints > 0 { parts.append("\(scalePoints) scale points") }
        let measured = parts.joined(separator: " and ")
        if s.complete {
            let end = s.finishedAt.map { " to \(Format.date($0))" } ?? ""
            return "Complete run, \(Format.date(s.startedAt))\(end), \(measured)."
        }
        return "INCOMPLETE: this run was interrupted or is still going (started \(Format.date(s.startedAt))); "
            + "only the \(measured) below were measured."
    }

    static func question(_ s: Summary) -> Section {
        var blocks: [Section.Block] = [.paragraph(status(for: s))]
        if let scenario = s.scenario { blocks.append(.paragraph(scenario.question)) }
        if s.sweep != nil {
            blocks.append(.paragraph("Is the director the bottleneck as real servers are added? Each real is capped, "
                + "so total throughput should grow with the number of reals until the director saturates; "
                + "the knee shows where, per forwarding mode, and the capacity model turns it into "
                + "\"how many reals can one director serve\", next to the original LVS paper's estimate."))
        }
        if !s.cells.isEmpty {
            blocks.append(.paragraph("What does the director cost, per forwarding mode and scheduler? Each cell "
                + "measures requests through the director and, in the same lab and run, straight to one real "
                + "(direct path); the LB overhead ratio (rps / direct rps) is the figure that holds on a noisy "
                + "machine. Shares show whether the scheduler splits connections as the weights say."))
        }
        return Section(title: "The question", blocks: blocks)
    }

    static func setup(_ s: Summary) -> Section {
        let tv = s.toolVersions
        var rows: [[String]] = [
            ["Forwarding modes", s.lab.modes.map(\.rawValue).joined(separator: ", ")],
            ["Reals", s.lab.reals.map(String.init).joined(separator: ", ")],
            ["Weights", s.lab.weights.isEmpty ? "1 each" : s.lab.weights.map(String.init).joined(separator: ", ")],
            ["Director host", s.directorHost],
            ["Director kernel", tv.directorKernel ?? "unknown"],
            ["Host", "\(s.host.hostname), kernel \(s.host.kernel), \(s.host.cpus) CPUs"],
            ["Tuning profile", s.lab.profiles.joined(separator: ", ")],
            ["Load", s.lab.loads.map(\.rawValue).joined(separator: ", ")],
        ]
        if let balancers = s.lab.balancers {
            rows.insert(["Balancers", balancers.map(\.rawValue).joined(separator: ", ")], at: 1)
        }
        if let rate = s.lab.realRateBytesPerSecond { rows.append(["Per-real cap", Format.byteRate(rate)]) }
        if let rps = s.lab.realRPS { rows.append(["Per-real cap", "\(Format.count(rps)) req/s"]) }
        if let c = s.cells.first {
            rows.append(["Measured window", "\(Format.count(c.durationSeconds)) s × \(c.repeats.count) repeats per cell"])
        }
        var tools = ["lvsbench \(tv.lvsbench)"]
        if let v = tv.ipvsadm { tools.append("ipvsadm \(v)") }
        if let v = tv.nginx { tools.append("nginx \(v)") }
        if let v = tv.swift { tools.append("Swift \(v)") }
        tools += tv.other.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        rows.append(["Tools", tools.joined(separator: ", ")])
        rows.append(["Command line", s.commandLine.joined(separator: " ")])
        return Section(title: "Setup", blocks: [.table(Table(header: ["", ""], rows: rows))])
    }

    /// A short, unique label for a cell in charts: only the coordinates that vary.
    static func labels(_ cells: [Cell]) -> [String] {
        func varies<T: Hashable>(_ f: (Cell) -> T) -> Bool { Set(cells.map(f)).count > 1 }
        let parts: [(Cell) -> String] = [
            { $0.mode.rawValue }, { $0.balancer.rawValue }, { $0.scheduler.rawValue }, { $0.profile }, { "\($0.reals)r" }, { $0.load.rawValue },
            { "w" + $0.perReal.map { String($0.weight) }.joined(separator: ".") },
        ]
        let used = [varies { $0.mode }, varies { $0.balancer }, varies { $0.scheduler }, varies { $0.profile }, varies { $0.reals },
                    varies { $0.load }, varies { $0.perReal.map(\.weight) }]
        return cells.map { c in
            let l = zip(parts, used).filter { $0.1 }.map { $0.0(c) }.joined(separator: "/")
            return l.isEmpty ? "\(c.mode.rawValue)/\(c.scheduler.rawValue)" : l
        }
    }

    static func cells(_ s: Summary) -> Section {
        let withPlain = s.cells.contains { $0.plainForward != nil }
        let showWeights = Set(s.cells.map { $0.perReal.map(\.weight) }).count > 1
        let showBalancer = Set(s.cells.map(\.balancer)).count > 1
        let rows = s.cells.map { c -> [String] in
            let spread = c.repeats.count > 1
                ? " (\(Format.count(c.repeats.rps.min))–\(Format.count(c.repeats.rps.max)))" : ""
            var row = [c.mode.rawValue] + (showBalancer ? [c.balancer.rawValue] : [])
            row += [c.scheduler.rawValue, c.profile, String(c.reals), c.load.rawValue]
            if showWeights { row.append(c.perReal.map { String($0.weight) }.joined(separator: ",")) }
            return row + [Format.count(c.rps) + spread, Format.count(c.cps), Format.micros(c.latencyUS.p50),
                          Format.micros(c.latencyUS.p99), errorText(c.errors), Format.count(c.directRPS),
                          Format.ratio(c.lbOverheadRatio)]
                + (withPlain ? [c.plainForward.map { Format.count($0.plainRPS) } ?? "–",
                                c.plainForward.map { Format.ratio($0.ipvsToPlainRatio) } ?? "–"] : [])
        }
        var header = ["mode"] + (showBalancer ? ["balancer"] : []) + ["sched", "profile", "reals", "load"]
        if showWeights { header.append("weights") }
        let first = header.count
        header += ["req/s (min–max)", "conn/s", "p50", "p99", "errors", "direct req/s", "LB ratio"]
        if withPlain { header += ["plain-forward req/s", "IPVS/plain"] }
        let reals = header.firstIndex(of: "reals") ?? 3
        let table = Table(header: header, rows: rows, numeric: Set([reals] + Array(first..<header.count)))
        let labels = labels(s.cells)
        let throughput = BarChart(
            title: "Throughput per cell: through the director vs direct path (bars: median; whiskers: min–max of repeats)",
            yLabel: "requests per second", categories: labels,
            series: [
                .init(name: "through director", values: s.cells.map(\.rps),
                      ranges: s.cells.map { $0.repeats.count > 1 ? $0.repeats.rps.range : nil }),
                .init(name: "direct to one real (same run)", values: s.cells.map(\.directRPS),
                      ranges: s.cells.map { $0.repeats.count > 1 ? $0.repeats.directRPS.range : nil }),
            ], valueLabel: { SVG.short($0) })
        let latency = BarChart(
            title: "Latency per cell (p50 and p99)", yLabel: "microseconds", categories: labels,
            series: [.init(name: "p50", values: s.cells.map(\.latencyUS.p50)),
                     .init(name: "p99", values: s.cells.map(\.latencyUS.p99))],
            valueLabel: { SVG.short($0) })
        return Section(title: "Results per cell", blocks: [
            .paragraph("Medians over the repeats; the range in brackets is min–max of the repeats. "
                + "LB ratio = req/s through the director ÷ req/s direct to one real, measured in the same run."
                + (withPlain ? " IPVS/plain = req/s through IPVS ÷ req/s of the same director plain-forwarding "
                    + "to one real without IPVS (see \"IPVS's own cost\" below)." : "")),
            .table(table), .chart(throughput.svg()), .chart(latency.svg()),
        ])
    }

    /// What a haproxy cell measures that a kernel balancer's does not.
    static let proxyNote = "haproxy cells: HAProxy is a userspace proxy, not a packet rewriter. It ends the client's "
        + "TCP connection on the director and opens a second connection of its own to the chosen real for every "
        + "client connection, so the reals see the director's address, not the client's (a real that logs, limits "
        + "or routes by client address sees one client), and the director carries two connections, two handshakes "
        + "and two sets of packets per request path; its per-real connection counts are HAProxy's own. Director CPU "
        + "per packet and per connection include that second connection and the copies through user space."

    /// Where a nftables cell's director ran, when the others ran in the guest.
    static let nftablesNote = "nftables cells: the user-mode Linux guest's kernel (6.1, Debian's build) has no nftables "
        + "NAT (CONFIG_NFT_NAT is not set), so a nftables lab's director is a namespace of the host and runs on the "
        + "host's kernel and CPUs, not in the one-CPU guest. Its raw rates and director CPU are not comparable with "
        + "the guest's cells; compare its LB overhead ratio and shares, and read its director CPU as the host's."

    /// The cells asked for that their balancer cannot run, each with the reason; nil when none.
    static func notMeasured(_ s: Summary) -> Section? {
        guard let skipped = s.lab.notMeasured, !skipped.isEmpty else { return nil }
        return Section(title: "Not measured", blocks: [
            .paragraph("Cells of the requested matrix that a balancer cannot run: skipped, not lost."),
            .bullets(skipped.map { "\($0.label): not measured: \($0.reason)" }),
        ])
    }

    static func errorText(_ e: ErrorCounts) -> String {
        guard e.total > 0 else { return "0" }
        let kinds = e.byKind.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        return kinds.isEmpty ? String(e.total) : "\(e.total) (\(kinds.joined(separator: ", ")))"
    }

    static func caveats(_ s: Summary) -> Section {
        var bullets: [String] = []
        if s.sweep != nil {
            bullets.append("The knee assumes each real really was held to its cap: if reals run below the cap "
                + "(e.g. the load generator is the limit), throughput flattens for a reason other than the director; "
                + "check that director CPU is near 100% at the knee.")
        }
        if s.sweep != nil || s.cells.contains(where: { $0.balancer == .ipvs }) {
            bullets.append("IPVS directors run with net.ipv4.vs.conn_reuse_mode=3 (the kernel's default is 1) unless a "
                + "profile sets it: the one client reuses source ports within seconds, and with mode 1 a DR or TUN "
                + "director sends a reused port to the real that had it before (its FIN_WAIT entry lasts 120 s), so "
                + "the reals a sweep point adds would get only the ports not used before, and a cell would inherit "
                + "the last cell's scheduling. Mode 3 schedules those connections anew, as mode 1 does for NAT; "
                + "`lvsbench scenario port-reuse` measures mode 1.")
        }
        bullets += [
            "Trust the ratios (LB overhead ratio, shares) more than raw req/s: they are measured side by side "
                + "in the same run, so a busy moment of the machine moves both terms alike.",
            "The machine is shared and small: raw throughput varies from run to run; compare raw figures only "
                + "between runs on the same host, and look at the min–max range before calling a change real.",
        ]
        if s.directorHost.lowercased().contains("uml") {
            bullets.insert("The director is a user-mode Linux guest with one CPU: it saturates long before a real "
                + "director box would. Its absolute capacity is a floor, not a prediction for hardware.", at: 0)
        }
        if s.cells.contains(where: { $0.balancer == .haproxy }) { bullets.append(proxyNote) }
        if s.cells.contains(where: { $0.balancer == .nftables }) && s.directorHost.lowercased().contains("uml") {
            bullets.append(nftablesNote)
        }
        if !s.complete { bullets.insert("This run is incomplete: cells that were not reached are missing.", at: 0) }
        return Section(title: "Caveats", blocks: [.bullets(bullets)])
    }
}
