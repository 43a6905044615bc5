import Foundation

/// A line chart as inline SVG with a numeric x axis, for sweep curves. Each series may mark
/// one x (the knee) with a dashed vertical line and a labelled dot.
public struct LineChart {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var mark: (x: Double, label: String)?
        /// Drawn dashed and thin: a reference such as "linear growth", not a measurement.
        public var isReference: Bool

        public init(name: String, points: [(x: Double, y: Double)], mark: (x: Double, label: String)? = nil,
                    isReference: Bool = false) {
            self.name = name
            self.points = points
            self.mark = mark
            self.isReference = isReference
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width: Double = 1100

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    public func svg() -> String {
        let left = 72.0, right = 24.0, top = 40.0, plotH = 300.0
        let plotW = width - left - right
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xTicks = SVG.ticks(low: 0, high: max(xs.max() ?? 1, 1), count: 8)
        let yTicks = SVG.ticks(high: max(ys.filter(\.isFinite).max() ?? 1, 1e-9))
        let xMax = xTicks.last ?? 1, yMax = yTicks.last ?? 1
        func px(_ v: Double) -> Double { left + plotW * v / xMax }
        func py(_ v: Double) -> Double { top + plotH - plotH * max(0, min(v, yMax)) / yMax }
        var colorIndex = 0
        let colored: [(Series, String)] = series.map { s in
            if s.isReference { return (s, "#777777") }
            defer { colorIndex += 1 }
            return (s, SVG.color(colorIndex))
        }
        let legendY = top + plotH + 56
        let legend = SVG.legend(colored.map { (name: $0.0.name, color: $0.1, dashed: $0.0.isReference) },
                                x: left, y: legendY, maxWidth: plotW, lines: true)
        let height = legendY + legend.height

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 \(SVG.n(width)) \(SVG.n(height))\" "
            + "width=\"100%\" font-family=\"sans-serif\"><title>\(SVG.escape(title))</title>"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        out += SVG.text(title, x: left, y: 22, anchor: "start", size: 15, weight: "bold")
        for t in yTicks {
            out += SVG.line(left, py(t), left + plotW, py(t), stroke: "#ddd")
            out += SVG.text(SVG.short(t), x: left - 6, y: py(t) + 4, anchor: "end", size: 11)
        }
        for t in xTicks {
            out += SVG.line(px(t), top + plotH, px(t), top + plotH + 5)
            out += SVG.text(SVG.short(t), x: px(t), y: top + plotH + 18, size: 11)
        }
        out += SVG.text(yLabel, x: 16, y: top + plotH / 2, size: 12, rotate: -90)
        out += SVG.text(xLabel, x: left + plotW / 2, y: top + plotH + 38, size: 12)
        for (s, color) in colored {
            let pts = s.points.sorted { $0.x < $1.x }.filter { $0.y.isFinite }
            let path = pts.map { "\(SVG.n(px($0.x))),\(SVG.n(py($0.y)))" }.joined(separator: " ")
            let dash = s.isReference ? " stroke-dasharray=\"6 4\"" : ""
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" "
                + "stroke-width=\"\(s.isReference ? "1.5" : "2.5")\"\(dash)/>"
            if !s.isReference {
                for p in pts {
                    out += "<circle cx=\"\(SVG.n(px(p.x)))\" cy=\"\(SVG.n(py(p.y)))\" r=\"3.5\" fill=\"\(color)\">"
                        + "<title>\(SVG.escape("\(s.name): \(SVG.short(p.x)) → \(SVG.short(p.y))"))</title></circle>"
                }
            }
            if let mark = s.mark, let hit = pts.first(where: { $0.x == mark.x }) {
                out += SVG.line(px(mark.x), top, px(mark.x), top + plotH, stroke: color, width: 1.5, dash: "4 4")
                out += "<circle cx=\"\(SVG.n(px(hit.x)))\" cy=\"\(SVG.n(py(hit.y)))\" r=\"7\" fill=\"none\" "
                    + "stroke=\"\(color)\" stroke-width=\"2.5\"/>"
                out += SVG.text(mark.label, x: px(mark.x) + 6, y: py(hit.y) - 10, anchor: "start", size: 12,
                                weight: "bold", fill: color)
            }
        }
        out += SVG.line(left, top + plotH, left + plotW, top + plotH)
        out += SVG.line(left, top, left, top + plotH)
        out += legend.svg
        return out + "</svg>"
    }
}
