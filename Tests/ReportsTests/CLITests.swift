import Foundation
import Results
import SystemKit
import TestSupport
import XCTest

/// `lvsbench report` and `lvsbench compare` as a script would run them: exit codes and output.
final class CLITests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try SyntheticSummary.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    var binary: String { BuiltBinary.lvsbench }

    func lvsbench(_ args: String...) throws -> ProcessResult {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "build lvsbench first: swift build")
        return try ProcessRunner.run([binary] + args, timeout: 120)
    }

    func write(_ summary: Summary, name: String) throws -> ResultDirectory {
        let dir = try ResultDirectory.create(name: name, under: root)
        try dir.write(summary: summary)
        return dir
    }

    func testCompareExitCodes() throws {
        let base = try write(SyntheticSummary.run(), name: "base")
        var halvedSummary = SyntheticSummary.run()
        halvedSummary.cells = halvedSummary.cells.map {
            SyntheticSummary.cell(mode: $0.mode, scheduler: $0.scheduler, rps: $0.rps / 2)
        }
        let halved = try write(halvedSummary, name: "halved")

        let same = try lvsbench("compare", base.url.path, base.url.path)
        XCTAssertEqual(same.status, 0, same.stdout + same.stderr)
        XCTAssertTrue(same.stdout.contains("PASS"))

        let worse = try lvsbench("compare", base.url.path, halved.url.path, "--threshold", "5%")
        XCTAssertEqual(worse.status, 1, worse.stdout + worse.stderr)
        XCTAssertTrue(worse.stdout.contains("regression"))

        let json = try lvsbench("compare", base.summaryURL.path, halved.url.path, "--json")
        XCTAssertEqual(json.status, 1)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(parsed?["passed"] as? Bool, false)
    }

    func testBadInputExitsTwoWithOneLine() throws {
        let base = try write(SyntheticSummary.run(), name: "base")
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let cases: [[String]] = [
            ["compare", base.url.path, root.appendingPathComponent("missing").path],
            ["compare", empty.path, base.url.path],
            ["compare", base.url.path, base.url.path, "--threshold", "lots"],
            ["report", empty.path],
            ["compare", base.url.path],
        ]
        for args in cases {
            let r = try ProcessRunner.run([binary] + args, timeout: 60)
            XCTAssertEqual(r.status, 2, args.joined(separator: " ") + ": " + r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("lvsbench: "), r.stderr)
        }
    }

    func testReportRendersEveryFileAgain() throws {
        let dir = try write(SyntheticSummary.sweep(), name: "again")
        let r = try lvsbench("report", dir.url.path, "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        for url in [dir.cellsURL, dir.markdownURL, dir.htmlURL] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: url.path), url.lastPathComponent)
        }
        let md = try String(contentsOf: dir.markdownURL, encoding: .utf8)
        XCTAssertTrue(md.contains("nat: knee at 12 reals"))
        XCTAssertTrue(md.contains("22.3 at 400 kB/s (paper says 22)"))
        XCTAssertTrue(md.contains("nat: at 400 kB/s per real this director serves about 12.0 reals — fewer than 20"), md)
        XCTAssertTrue(md.contains("dr: no saturation up to 24 reals"), md)
        XCTAssertTrue(md.contains("Complete run") && md.contains("16 sweep points"), md)
    }
}
