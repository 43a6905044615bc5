import Foundation

/// A grouped bar chart as inline SVG: one group per category, one bar per series. Bars may
/// carry a range (the repeats' min...max, drawn as an error bar) and a target (drawn as a
/// black tick across the bar, e.g. the share a weight promises).
public struct BarChart {
    public struct Series {
        public var name: String
        public var values: [Double]
        public var ranges: [ClosedRange<Double>?]
        public var targets: [Double?]

        public init(name: String, values: [Double], ranges: [ClosedRange<Double>?] = [],
                    targets: [Double?] = []) {
            self.name = name
            self.values = values
            self.ranges = ranges
            self.targets = targets
        }
    }

    public var title: String
    public var yLabel: String
    public var categories: [String]
    public var series: [Series]
    /// Formats a value label above each bar; nil draws no labels.
    public var valueLabel: ((Double) -> String)?
    /// What the tick marks mean, for the legend (nil: no target legend entry).
    public var targetLegend: String?
    public var width: Double = 1100

    public init(title: String, yLabel: String, categories: [String], series: [Series],
                valueLabel: ((Double) -> String)? = nil, targetLegend: String? = nil) {
        self.title = title
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
        self.valueLabel = valueLabel
        self.targetLegend = targetLegend
    }

    public func svg() -> String {
        let left = 72.0, right = 16.0, top = 40.0
        let plotW = width - left - right
        let longest = Double(categories.map(\.count).max() ?? 0)
        let groupW = plotW / Double(max(categories.count, 1))
        let rotate = longest * 7 > groupW - 6
        let labelSpace = rotate ? min(longest * 6.2 + 14, 150) : 24
        let plotH = 260.0
        var legendItems = series.enumerated().map { (name: $0.element.name, color: SVG.color($0.offset), dashed: false) }
        if let targetLegend { legendItems.append((name: targetLegend, color: "#000000", dashed: true)) }
        let legendY = top + plotH + labelSpace + 26
        let legend = SVG.legend(legendItems, x: left, y: legendY, maxWidth: plotW)
        let height = legendY + legend.height

        let all = series.flatMap { s in s.values + s.ranges.compactMap { $0?.upperBound } + s.targets.compactMap { $0 } }
        let ticks = SVG.ticks(high: max(all.filter(\.isFinite).max() ?? 1, 1e-9))
        let yMax = ticks.last ?? 1
        func y(_ v: Double) -> Double { top + plotH - plotH * max(0, min(v, yMax)) / yMax }

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 \(SVG.n(width)) \(SVG.n(height))\" "
            + "width=\"100%\" font-family=\"sans-serif\"><title>\(SVG.escape(title))</title>"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        out += SVG.text(title, x: left, y: 22, anchor: "start", size: 15, weight: "bold")
        for t in ticks {
            out += SVG.line(left, y(t), left + plotW, y(t), stroke: "#ddd")
            out += SVG.text(SVG.short(t), x: left - 6, y: y(t) + 4, anchor: "end", size: 11)
        }
        out += SVG.text(yLabel, x: 16, y: top + plotH / 2, size: 12, rotate: -90)
        let barW = min(48, (groupW * 0.8) / Double(max(series.count, 1)))
        for (ci, category) in categories.enumerated() {
            let gx = left + groupW * Double(ci) + (groupW - barW * Double(series.count)) / 2
            for (si, s) in series.enumerated() where ci < s.values.count {
                let v = s.values[ci]
                guard v.isFinite else { continue }
                let x = gx + barW * Double(si)
                out += "<rect x=\"\(SVG.n(x))\" y=\"\(SVG.n(y(v)))\" width=\"\(SVG.n(barW - 2))\" "
                    + "height=\"\(SVG.n(y(0) - y(v)))\" fill=\"\(SVG.color(si))\" stroke=\"#222\" stroke-width=\"0.5\">"
                    + "<title>\(SVG.escape("\(category) · \(s.name): \(valueLabel?(v) ?? SVG.short(v))"))</title></rect>"
                let mid = x + (barW - 2) / 2
                if ci < s.ranges.count, let r = s.ranges[ci], r.upperBound > r.lowerBound {
                    out += SVG.line(mid, y(r.lowerBound), mid, y(r.upperBound), width: 1.2)
                    out += SVG.line(mid - 4, y(r.lowerBound), mid + 4, y(r.lowerBound), width: 1.2)
                    out += SVG.line(mid - 4, y(r.upperBound), mid + 4, y(r.upperBound), width: 1.2)
                }
                if ci < s.targets.count, let t = s.targets[ci] {
                    out += SVG.line(x - 2, y(t), x + barW, y(t), stroke: "#000", width: 2.5, dash: "5 3")
                }
                if let valueLabel, barW >= 22 {
                    let top = ci < s.ranges.count ? max(v, s.ranges[ci]?.upperBound ?? v) : v
                    out += SVG.text(valueLabel(v), x: mid, y: y(top) - 4, size: 10, fill: "#333")
                }
            }
            let cx = left + groupW * (Double(ci) + 0.5)
            if rotate {
                out += SVG.text(category, x: cx, y: top + plotH + 14, anchor: "end", size: 11, rotate: -35)
            } else {
                out += SVG.text(category, x: cx, y: top + plotH + 16, size: 11)
            }
        }
        out += SVG.line(left, top + plotH, left + plotW, top + plotH)
        out += SVG.line(left, top, left, top + plotH)
        out += legend.svg
        return out + "</svg>"
    }
}
