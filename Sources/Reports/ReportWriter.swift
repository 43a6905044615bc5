import Foundation
import Results

/// Renders cells.csv, report.md and report.html of a result directory from its summary.
/// The runner calls it after the final summary write; `lvsbench report DIR` calls it again.
public enum ReportWriter {
    public static func render(_ summary: Summary, into dir: ResultDirectory) throws {
        try dir.write(cellsCSV: CellsCSV.render(summary))
        try dir.write(markdown: MarkdownReport.render(summary))
        try dir.write(html: HTMLReport.render(summary))
        try ScaleCSV.write(summary, into: dir)
        try ScenarioCSV.write(summary, into: dir)
    }

    /// Reads `dir`'s summary.json and renders the three files again; returns the summary.
    @discardableResult
    public static func rerender(_ dir: ResultDirectory) throws -> Summary {
        let summary = try dir.readSummary()
        try render(summary, into: dir)
        return summary
    }
}
