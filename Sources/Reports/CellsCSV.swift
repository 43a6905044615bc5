import Foundation
import Results
import Vocabulary

/// `cells.csv`: one row per cell for spreadsheets and scripts. RFC 4180: CRLF line ends,
/// a header row, fields quoted when they hold a comma, a quote or a line break.
public enum CellsCSV {
    public static let header = [
        "mode", "scheduler", "profile", "reals", "load", "weights", "rps", "rps_min", "rps_max", "repeats", "cps",
        "bytes_per_s", "p50_us", "p90_us", "p99_us", "p999_us", "max_us", "errors", "direct_rps",
        "lb_overhead_ratio", "director_in_pkts", "director_out_pkts", "director_in_bytes",
        "director_out_bytes", "director_cpu_softirq_pct", "director_cpu_busy_pct", "shares_observed", "shares_expected",
        "plain_rps", "ipvs_to_plain_ratio", "us_per_packet_ipvs", "us_per_packet_plain", "ipvs_us_per_packet",
        "us_per_conn_ipvs", "us_per_conn_plain", "ipvs_us_per_conn", "ipvs_packets_during_plain",
    ]

    /// Appended when any cell ran under a balancer other than IPVS; a file of IPVS cells
    /// alone keeps the columns it always had.
    public static let balancerColumn = "balancer"

    public static func render(_ summary: Summary) -> String {
        let withBalancer = summary.cells.contains { $0.balancer != .ipvs }
        var rows = [header + (withBalancer ? [balancerColumn] : [])]
        for c in summary.cells {
            rows.append([
                c.mode.rawValue, c.scheduler.rawValue, c.profile, String(c.reals), c.load.rawValue,
                c.perReal.map { String($0.weight) }.joined(separator: ","), num(c.rps), num(c.repeats.rps.min),
                num(c.repeats.rps.max), String(c.repeats.count), num(c.cps), num(c.bytesPerSecond),
                num(c.latencyUS.p50), num(c.latencyUS.p90), num(c.latencyUS.p99), num(c.latencyUS.p999),
                num(c.latencyUS.max), String(c.errors.total), num(c.directRPS), num(c.lbOverheadRatio),
                String(c.director.inPkts), String(c.director.outPkts), String(c.director.inBytes),
                String(c.director.outBytes), num(c.director.cpuSoftirqPct), num(c.director.cpuBusyPct),
                c.perReal.map { "\($0.name)=\(num($0.observedShare))" }.joined(separator: ","),
                c.perReal.map { "\($0.name)=\(num($0.expectedShare))" }.joined(separator: ","),
            ] + plainColumns(c.plainForward) + (withBalancer ? [c.balancer.rawValue] : []))
        }
        return rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// The plain-forward reference's columns; empty fields when the cell has none (or a
    /// figure does not apply, like per-connection cost under keep-alive).
    static func plainColumns(_ f: ForwardCost?) -> [String] {
        guard let f else { return Array(repeating: "", count: 9) }
        let opt = { (x: Double?) in x.map(num) ?? "" }
        return [num(f.plainRPS), num(f.ipvsToPlainRatio), num(f.usPerPacketIPVS), num(f.usPerPacketPlain),
                num(f.ipvsUsPerPacket), opt(f.usPerConnIPVS), opt(f.usPerConnPlain), opt(f.ipvsUsPerConn),
                f.ipvsPacketsDuringPlain.map(String.init) ?? ""]
    }

    /// One RFC 4180 field.
    public static func field(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return s
        }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Plain decimal, no grouping, at most 4 decimals: what a spreadsheet parses.
    static func num(_ x: Double) -> String {
        guard x.isFinite else { return "" }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        var s = String(format: "%.4f", x)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
