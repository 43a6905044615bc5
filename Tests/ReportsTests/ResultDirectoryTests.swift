import Foundation
import Reports
import Results
import SystemKit
import XCTest

final class ResultDirectoryTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try SyntheticSummary.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func testSummaryRoundTripsThroughTheDirectory() throws {
        let dir = try ResultDirectory.create(name: "roundtrip", under: root)
        let summary = SyntheticSummary.sweep()
        try dir.write(summary: summary)
        let loaded = try ResultDirectory.load(from: dir.url).readSummary()
        XCTAssertEqual(loaded, summary)
        XCTAssertEqual(loaded.sweep?["nat"]?.kneeReals, 12)
    }

    func testKeysAreTheSnakeCaseNamesOfTheIssue() throws {
        let json = try JSONSerialization.jsonObject(with: JSONCoding.encode(SyntheticSummary.run())) as! [String: Any]
        for key in ["schema_version", "started_at", "host", "director_backend", "cells", "complete", "tool_versions"] {
            XCTAssertNotNil(json[key], key)
        }
        let cell = (json["cells"] as! [[String: Any]])[0]
        for key in ["mode", "scheduler", "profile", "reals", "load", "rps", "cps", "latency_us", "errors", "direct_rps",
                    "lb_overhead_ratio", "per_real", "director", "repeats"] {
            XCTAssertNotNil(cell[key], key)
        }
        XCTAssertEqual((cell["latency_us"] as! [String: Any]).keys.sorted(), ["max", "p50", "p90", "p99", "p999"])
        let director = cell["director"] as! [String: Any]
        for key in ["in_pkts", "out_pkts", "in_bytes", "out_bytes", "cpu_softirq_pct", "cpu_busy_pct"] { XCTAssertNotNil(director[key], key) }
        let real = (cell["per_real"] as! [[String: Any]])[0]
        XCTAssertEqual(Set(real.keys), ["name", "weight", "expected_share", "observed_share", "ipvs_conns"])
    }

    func testLatestPointsAtTheNewestAndAllFilesAreWritten() throws {
        let first = try ResultDirectory.create(name: "a", under: root, at: Date(timeIntervalSince1970: 1_795_000_000))
        try first.updateLatest()
        let second = try ResultDirectory.create(name: "b", under: root, at: Date(timeIntervalSince1970: 1_795_000_100))
        var summary = SyntheticSummary.run()
        try second.write(summary: summary)
        try second.write(reproduce: Reproduce(summary: summary))
        try ReportWriter.render(summary, into: second)
        try second.updateLatest()
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("latest").path)
        XCTAssertEqual(link, second.url.lastPathComponent)
        XCTAssertTrue(second.url.lastPathComponent.hasSuffix("-b"))
        for file in [second.summaryURL, second.cellsURL, second.markdownURL, second.htmlURL, second.reproduceURL] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), file.lastPathComponent)
        }
        let viaLatest = try ResultDirectory.load(from: root.appendingPathComponent("latest")).readSummary()
        summary.cells = viaLatest.cells
        XCTAssertEqual(viaLatest, summary)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [])
    }

    func testAnInterruptedRunIsReadableAndMarkedIncomplete() throws {
        let dir = try ResultDirectory.create(name: "partial", under: root)
        var summary = SyntheticSummary.run()
        summary.complete = false
        summary.finishedAt = nil
        summary.cells = Array(summary.cells.prefix(2))
        try dir.write(summary: summary)
        let loaded = try dir.readSummary()
        XCTAssertFalse(loaded.complete)
        XCTAssertNil(loaded.finishedAt)
        XCTAssertTrue(MarkdownReport.render(loaded).contains("INCOMPLETE"))
        summary.finish()
        XCTAssertTrue(summary.complete)
    }

    func testBadInputIsUsageError() throws {
        XCTAssertThrowsError(try ResultDirectory.create(name: "../escape", under: root)) {
            XCTAssertEqual(($0 as? UserFacingError)?.exitStatus, .usage)
        }
        let file = root.appendingPathComponent("plainfile")
        XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: Data()))
        XCTAssertThrowsError(try ResultDirectory.create(name: "x", under: file)) {
            XCTAssertEqual(($0 as? UserFacingError)?.exitStatus, .usage)
        }
        XCTAssertThrowsError(try ResultDirectory.load(from: root.appendingPathComponent("nope"))) {
            XCTAssertEqual($0 as? ResultLoadError, .missingDirectory(root.appendingPathComponent("nope").path))
        }
        let empty = try ResultDirectory.create(name: "empty", under: root)
        XCTAssertThrowsError(try ResultDirectory.load(from: empty.url)) {
            XCTAssertEqual(($0 as? UserFacingError)?.exitStatus, .usage)
        }
        try Data("{\"schema_version\": 1}".utf8).write(to: empty.summaryURL)
        XCTAssertThrowsError(try empty.readSummary()) {
            XCTAssertTrue("\($0)".contains("missing"), "\($0)")
        }
    }
}
