import ArgumentParser
import Foundation
import Reports
import Results
import SystemKit

/// `lvsbench report DIR`: renders cells.csv, report.md and report.html again from summary.json.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a result directory's reports again from its summary.json.",
        discussion: """
        Rewrites cells.csv, report.md and report.html (atomically) from summary.json, e.g. after a newer lvsbench improved the reports, or for a run that was interrupted.

        Example:
          lvsbench report results/latest
          lvsbench report results/20261125T111133Z-default --json
        """
    )

    @Argument(help: "A result directory (holding summary.json), e.g. results/latest.")
    var directory: String

    @Flag(help: "Print the paths written as JSON instead of text.")
    var json = false

    func run() throws {
        try reportingErrors {
            let dir = try ResultDirectory.load(from: URL(fileURLWithPath: directory))
            let summary = try ReportWriter.rerender(dir)
            let files = [dir.cellsURL.path, dir.markdownURL.path, dir.htmlURL.path]
                + (summary.scale == nil ? [] : [dir.scaleURL.path])
                + (summary.scenario == nil ? [] : [dir.timelineURL.path])
            if json {
                struct Output: Encodable {
                    let directory: String, complete: Bool, cells: Int, files: [String]
                }
                let data = try JSONCoding.encode(Output(directory: dir.url.path, complete: summary.complete,
                                                        cells: summary.cells.count, files: files))
                FileHandle.standardOutput.write(data)
            } else {
                var what: [String] = []
                if let sweep = summary.sweep { what.append("\(sweep.count) sweep curve\(sweep.count == 1 ? "" : "s")") }
                if let scale = summary.scale {
                    what.append("\(scale.values.reduce(0) { $0 + $1.points.count }) scale points")
                }
                if let scenario = summary.scenario {
                    what.append("\(scenario.variants.count) variants of scenario \(scenario.scenario)")
                }
                if what.isEmpty || !summary.cells.isEmpty { what.insert("\(summary.cells.count) cells", at: 0) }
                print("rendered \(what.joined(separator: ", "))\(summary.complete ? "" : " (incomplete run)"):")
                files.forEach { print("  \($0)") }
            }
        }
    }
}
