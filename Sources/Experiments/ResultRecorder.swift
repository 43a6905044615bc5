import Collector
import Foundation
import Reports
import Results
import SystemKit

/// Where a run's results went, as the CLI prints it.
public struct SessionOutcome: Codable, Equatable, Sendable {
    public var directory: String
    public var files: [String]
    public var complete: Bool
    public var cells: Int
    public var sweepModes: [String]
}

/// Keeps a result directory current while a run goes on: summary.json is rewritten
/// (atomically, `complete: false`) after every cell, so an interrupted run leaves a valid,
/// partial summary; the collector's samples go to samples.jsonl, one line per sample with
/// the cell and repeat it belongs to. `latest` points here from the start; `finish`
/// renders the reports.
public final class ResultRecorder {
    public let directory: ResultDirectory
    public private(set) var summary: Summary
    private var samples = Data()

    public init(root: String, summary: Summary) throws {
        directory = try ResultDirectory.create(name: summary.name, under: URL(fileURLWithPath: root),
                                               at: summary.startedAt)
        self.summary = summary
        try directory.write(summary: summary)
        try directory.write(reproduce: Reproduce(summary: summary))
        try AtomicFile.write(samples, to: directory.samplesURL.path)
        // `latest` is the newest run, also while it is running (its summary says so).
        try directory.updateLatest()
    }

    public func setDirectorHost(_ directorHost: String, directorKernel: String?) throws {
        summary.directorHost = directorHost
        summary.lab.directorHost = directorHost
        if let directorKernel { summary.toolVersions.directorKernel = directorKernel }
        try directory.write(summary: summary)
        try directory.write(reproduce: Reproduce(summary: summary))
    }

    /// A collector sample and where it was taken: the cell (or sweep point) and the repeat.
    public typealias SampleLine = (label: String, repeatIndex: Int, sample: Sample)

    public func add(_ cell: Cell, samples lines: [SampleLine]) throws {
        summary.cells.append(cell)
        try appendSamples(lines)
        try directory.write(summary: summary)
    }

    public func setSweep(_ mode: String, _ sweep: ModeSweep, samples lines: [SampleLine]) throws {
        var all = summary.sweep ?? [:]
        all[mode] = sweep
        summary.sweep = all
        try appendSamples(lines)
        try directory.write(summary: summary)
    }

    /// Records a balancer's curve of `lvsbench scale`.
    public func setScale(_ balancer: String, _ curve: ScaleCurve) throws {
        var all = summary.scale ?? [:]
        all[balancer] = curve
        summary.scale = all
        try directory.write(summary: summary)
    }

    /// Records what a scenario has measured so far.
    public func setScenario(_ result: ScenarioResult) throws {
        summary.scenario = result
        try directory.write(summary: summary)
    }

    /// Writes the final summary (complete or not), renders the reports and points `latest`
    /// here. On the error path use `abandon(after:)`.
    @discardableResult
    public func finish(complete: Bool) throws -> SessionOutcome {
        if complete { summary.finish() }
        try directory.write(summary: summary)
        try ReportWriter.render(summary, into: directory)
        try directory.updateLatest()
        let files = [directory.summaryURL, directory.samplesURL, directory.cellsURL, directory.markdownURL,
                     directory.htmlURL, directory.reproduceURL].map(\.path)
            + (summary.scale == nil ? [] : [directory.scaleURL.path])
            + (summary.scenario == nil ? [] : [directory.timelineURL.path])
        return SessionOutcome(directory: directory.url.path, files: files, complete: summary.complete,
                              cells: summary.cells.count, sweepModes: (summary.sweep ?? [:]).keys.sorted())
    }

    /// Ends a run that `error` stopped: the result stays marked incomplete (as it has been on
    /// disk since the start) with the reports of what was measured. Returns the error to
    /// report: `Interrupted` when a signal arrived, whatever failed first. A report that cannot
    /// be rendered must not hide that error, so it is only noted on stderr.
    public func abandon(after error: Error) -> Error {
        let reported = SignalTrap.interrupted ? CleanupFailed.outcome(of: error, left: [], interrupted: true) : error
        do {
            try finish(complete: false)
        } catch let failure {
            Console.error("lvsbench: the partial result in \(directory.url.path) has no reports: \(failure)\n")
        }
        return reported
    }

    private func appendSamples(_ lines: [SampleLine]) throws {
        guard !lines.isEmpty else { return }
        for line in lines { samples.append(try Self.jsonLine(line)) }
        try AtomicFile.write(samples, to: directory.samplesURL.path)
    }

    /// One line of samples.jsonl: `{"cell":...,"repeat":N,"sample":{...}}` and a newline,
    /// the sample compact with sorted keys, slashes unescaped and ISO 8601 times.
    static func jsonLine(_ line: SampleLine) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = Data("{\"cell\":".utf8)
        data.append(try JSONEncoder().encode(line.label))
        data.append(Data(",\"repeat\":\(line.repeatIndex),\"sample\":".utf8))
        data.append(try encoder.encode(line.sample))
        data.append(Data("}\n".utf8))
        return data
    }
}
