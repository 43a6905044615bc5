import Foundation
import Results

/// `report.md`: the sections as GitHub-flavoured Markdown (charts are in report.html only).
public enum MarkdownReport {
    public static func render(_ summary: Summary) -> String {
        var out = "# \(ReportContent.title(for: summary))\n\n"
        for section in ReportContent.sections(for: summary) {
            out += "## \(section.title)\n\n"
            for block in section.blocks {
                switch block {
                case .paragraph(let text): out += text + "\n\n"
                case .bullets(let items): out += items.map { "- " + $0 }.joined(separator: "\n") + "\n\n"
                case .table(let table): out += render(table) + "\n"
                case .chart: continue
                }
            }
        }
        out += "Charts: see report.html in this directory.\n"
        return out
    }

    static func render(_ t: Table) -> String {
        func row(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
                .joined(separator: " | ") + " |\n"
        }
        let header = t.header.allSatisfy(\.isEmpty) ? t.header.enumerated().map { $0.offset == 0 ? "item" : "value" } : t.header
        var out = row(header)
        out += "|" + header.indices.map { t.numeric.contains($0) ? " ---: |" : " --- |" }.joined() + "\n"
        for r in t.rows { out += row(r) }
        return out
    }
}
