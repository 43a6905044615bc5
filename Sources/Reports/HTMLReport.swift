import Foundation
import Results

/// `report.html`: self-contained (no external URL, script or font), charts as inline SVG, a
/// print stylesheet so it reads on paper too.
public enum HTMLReport {
    public static func render(_ summary: Summary) -> String {
        let title = SVG.escape(ReportContent.title(for: summary))
        var body = "<h1>\(title)</h1>\n"
        if !summary.complete { body += "<p class=\"warn\">\(SVG.escape(ReportContent.status(for: summary)))</p>\n" }
        for section in ReportContent.sections(for: summary) {
            body += "<section>\n<h2>\(SVG.escape(section.title))</h2>\n"
            for block in section.blocks {
                switch block {
                case .paragraph(let text): body += "<p>\(SVG.escape(text))</p>\n"
                case .bullets(let items): body += "<ul>" + items.map { "<li>\(SVG.escape($0))</li>" }.joined() + "</ul>\n"
                case .table(let table): body += render(table)
                case .chart(let svg): body += "<figure>\(svg)</figure>\n"
                }
            }
            body += "</section>\n"
        }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <style>
        body { font-family: sans-serif; color: #222; max-width: 1140px; margin: 1.5em auto; padding: 0 1em; line-height: 1.4; }
        h1 { font-size: 1.6em; border-bottom: 2px solid #0072B2; padding-bottom: .2em; }
        h2 { font-size: 1.25em; margin-top: 1.8em; color: #0b3d63; }
        table { border-collapse: collapse; margin: .6em 0 1em; font-size: .9em; }
        th, td { border: 1px solid #bbb; padding: .25em .6em; vertical-align: top; }
        th { background: #eef3f8; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tr:nth-child(even) td { background: #fafafa; }
        figure { margin: 1em 0 1.5em; }
        .warn { background: #fff0e0; border-left: 4px solid #D55E00; padding: .5em .8em; font-weight: bold; }
        @media print { body { max-width: none; } section, figure { break-inside: avoid; } }
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    static func render(_ t: Table) -> String {
        var out = "<table>"
        if !t.header.allSatisfy(\.isEmpty) {
            out += "<thead><tr>" + t.header.map { "<th>\(SVG.escape($0))</th>" }.joined() + "</tr></thead>"
        }
        out += "<tbody>"
        for row in t.rows {
            out += "<tr>" + row.enumerated().map { i, cell in
                let cls = t.numeric.contains(i) ? " class=\"num\"" : ""
                return t.header.allSatisfy(\.isEmpty) && i == 0 ? "<th>\(SVG.escape(cell))</th>" : "<td\(cls)>\(SVG.escape(cell))</td>"
            }.joined() + "</tr>"
        }
        return out + "</tbody></table>\n"
    }
}
