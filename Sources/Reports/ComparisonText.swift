import Foundation

extension Comparison {
    /// The comparison as an aligned plain-text table and a verdict line, for a terminal or a CI log.
    public func text() -> String {
        var rows: [[String]] = [["cell", "metric", "base", "new", "change", "verdict"]]
        for c in changes {
            let change = c.kind == .share ? String(format: "%+.1f pt", c.change)
                : c.metric == "error rate" ? String(format: "%+.2f pt", c.change * 100) : Format.change(c.change)
            rows.append([c.cell, c.metric, value(c.base, c), value(c.new, c), change, c.verdict.rawValue])
        }
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        var out = "Comparing \(new) against \(base), threshold \(Format.percent(threshold)) "
            + "(same-run ratios and shares first, raw rates after)\n"
        for (ri, r) in rows.enumerated() {
            out += r.enumerated().map { i, v in
                let pad = String(repeating: " ", count: widths[i] - v.count)
                return (2...4).contains(i) ? pad + v : v + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
            if ri == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        for m in missingCells { out += "missing in \(new): \(m)\n" }
        for a in addedCells { out += "only in \(new): \(a)\n" }
        if !newComplete { out += "\(new) is incomplete (interrupted run)\n" }
        let failures = regressions.count + missingCells.count + (newComplete ? 0 : 1)
        out += passed ? "PASS: no regression beyond \(Format.percent(threshold))\n"
            : "FAIL: \(failures) regression(s) beyond \(Format.percent(threshold)) and outside the repeats' spread\n"
        return out
    }

    private func value(_ v: Double, _ c: Change) -> String {
        switch c.metric {
        case "LB overhead ratio": return String(format: "%.3f", v)
        case "error rate": return Format.percent(v)
        default: return c.kind == .share ? String(format: "%.1f", v) : Format.count(v)
        }
    }
}
