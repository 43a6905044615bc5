import Foundation

/// Small helpers shared by the chart types: escaping, a print-safe palette and "nice" axis ticks.
enum SVG {
    /// Okabe–Ito colours: distinguishable with colour-vision deficiencies and still apart when
    /// printed in grey (yellow left out: it vanishes on paper).
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]

    static func color(_ i: Int) -> String { palette[i % palette.count] }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Formats a coordinate with one decimal (enough for pixels, keeps the file small).
    static func n(_ x: Double) -> String { String(format: "%.1f", x.isFinite ? x : 0) }

    /// Axis ticks from 0 (or `low`) to a round number at or above `high`: 1, 2 or 5 times a
    /// power of ten, about `count` of them.
    static func ticks(low: Double = 0, high: Double, count: Int = 5) -> [Double] {
        let top = high > low ? high : low + 1
        let raw = (top - low) / Double(max(count, 1))
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        var out: [Double] = []
        var v = (low / step).rounded(.down) * step
        while v < top + step * 0.999 {
            out.append(v)
            if v >= top { break }
            v += step
        }
        return out
    }

    /// A tick label in short form: 15000 -> "15k", 2500000 -> "2.5M", 0.25 -> "0.25".
    static func short(_ v: Double) -> String {
        let a = abs(v)
        func trim(_ s: String) -> String {
            guard s.contains(".") else { return s }
            var t = s
            while t.hasSuffix("0") { t.removeLast() }
            if t.hasSuffix(".") { t.removeLast() }
            return t
        }
        if a >= 1_000_000_000 { return trim(String(format: "%.2f", v / 1e9)) + "G" }
        if a >= 1_000_000 { return trim(String(format: "%.2f", v / 1e6)) + "M" }
        if a >= 1000 { return trim(String(format: "%.2f", v / 1e3)) + "k" }
        return trim(String(format: "%.2f", v))
    }

    static func text(_ s: String, x: Double, y: Double, anchor: String = "middle", size: Int = 12,
                     weight: String = "normal", rotate: Double? = nil, fill: String = "#222") -> String {
        let transform = rotate.map { " transform=\"rotate(\(n($0)) \(n(x)) \(n(y)))\"" } ?? ""
        return "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" "
            + "font-weight=\"\(weight)\" fill=\"\(fill)\"\(transform)>\(escape(s))</text>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#222",
                     width: Double = 1, dash: String? = nil) -> String {
        let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        return "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" "
            + "stroke-width=\"\(n(width))\"\(d)/>"
    }

    /// A legend row of coloured swatches with names, starting at (x, y).
    static func legend(_ items: [(name: String, color: String, dashed: Bool)], x: Double, y: Double,
                       maxWidth: Double, lines: Bool = false) -> (svg: String, height: Double) {
        var out = "", cx = x, cy = y
        for item in items {
            let w = 26 + Double(item.name.count) * 7
            if cx + w > x + maxWidth && cx > x { cx = x; cy += 18 }
            if item.dashed || lines {
                out += line(cx, cy - 4, cx + 16, cy - 4, stroke: item.color, width: 2.5, dash: item.dashed ? "5 3" : nil)
            } else {
                out += "<rect x=\"\(n(cx))\" y=\"\(n(cy - 10))\" width=\"14\" height=\"12\" fill=\"\(item.color)\" "
                    + "stroke=\"#222\" stroke-width=\"0.5\"/>"
            }
            out += text(item.name, x: cx + 20, y: cy, anchor: "start")
            cx += w
        }
        return (out, cy - y + 18)
    }
}
