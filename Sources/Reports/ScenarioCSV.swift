import Foundation
import Results

/// timeline.csv: one row per variant and interval of `lvsbench scenario`, the client's view
/// (responses, failures, timeouts, p99) beside the director's count of connections
/// scheduled to the faulty real so far; CRLF line ends and quoting as cells.csv.
public enum ScenarioCSV {
    public static let header = "variant,t_s,ok,failed,timed_out,connections_opened,p99_us,faulty_real_responses,"
        + "faulty_real_scheduled,faulty_real_syns"

    /// nil when the summary has no scenario section.
    public static func render(_ s: Summary) -> String? {
        guard let scenario = s.scenario else { return nil }
        var lines = [header]
        for v in scenario.variants {
            let faulty = v.metrics.faultyReal, name = v.metrics.faultyRealName
            for (i, c) in v.client.enumerated() {
                // The director's cumulative count at the last sample inside the interval.
                let scheduled = faulty.flatMap { address in
                    v.director.last { $0.t < c.t + v.intervalSeconds }?.reals[address]?.scheduled
                }
                let fields = [v.name, ScaleCSV.number(c.t), String(c.ok), String(c.failed), String(c.timedOut),
                              String(c.connectionsOpened), c.p99US.map(ScaleCSV.number) ?? "",
                              name.map { String(c.perReal[$0] ?? 0) } ?? "", scheduled.map(String.init) ?? "",
                              syns(v, interval: i, real: name)]
                lines.append(fields.map(CellsCSV.field).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// SYNs the director forwarded to `real` in interval `i`, when counted.
    static func syns(_ v: ScenarioVariant, interval i: Int, real: String?) -> String {
        guard let real, let wire = v.wire, wire.indices.contains(i) else { return "" }
        return String(wire[i].syns[real] ?? 0)
    }

    public static func write(_ s: Summary, into dir: ResultDirectory) throws {
        guard let text = render(s) else { return }
        try dir.write(timelineCSV: text)
    }
}
