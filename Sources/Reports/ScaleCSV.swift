import Foundation
import Results

/// scale.csv: one row per balancer and count of services of `lvsbench scale`, the figures
/// of the summary's `scale` section in its units (seconds, microseconds, per second, percent);
/// CRLF line ends and quoting as cells.csv (`CellsCSV.field`).
public enum ScaleCSV {
    public static let header = "balancer,load,services,program_s,program_s_per_service,change_s,remove_s,"
        + "p50_us,p99_us,cps,director_cpu_pct,errors"

    /// The rows, balancers in the report's order; nil when the summary has no scale section.
    public static func render(_ s: Summary) -> String? {
        guard let scale = s.scale else { return nil }
        var lines = [header]
        for balancer in ScaleSection.order(scale.keys) {
            let curve = scale[balancer]!
            for p in curve.points {
                let figures = [p.programSeconds, p.programSecondsPerService, p.changeSeconds, p.removeSeconds,
                               p.p50US, p.p99US, p.connectionsPerSecond, p.directorCPUPct].map(number)
                lines.append(([balancer, curve.load, String(p.services)] + figures + [String(p.errors)])
                    .map(CellsCSV.field).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Writes scale.csv into `dir` when the summary has a scale section.
    public static func write(_ s: Summary, into dir: ResultDirectory) throws {
        guard let text = render(s) else { return }
        try dir.write(scaleCSV: text)
    }

    /// Up to 6 significant digits, no exponent for the magnitudes a point has.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "" }
        return String(format: "%.6g", x)
    }
}
