import Foundation
import Reports
import Results
import SystemKit
import XCTest

final class HTMLReportTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try SyntheticSummary.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func testHTMLIsSelfContainedWithEveryChart() {
        var summary = SyntheticSummary.run()
        summary.sweep = SyntheticSummary.sweep().sweep
        let html = HTMLReport.render(summary)
        XCTAssertNil(html.range(of: "(src|href)=\"https?:", options: .regularExpression))
        XCTAssertNil(html.range(of: "<script|<link|@import|url\\(", options: .regularExpression))
        for title in ["Throughput per cell", "Latency per cell", "Share of connections per real",
                      "Director packets per second", "Director bytes per second", "Sweep: total throughput"] {
            XCTAssertTrue(html.contains("<title>\(title)"), title)
        }
        XCTAssertTrue(html.contains("nat knee: 12 reals"))
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 6)
    }

    func testMarkdownTellsWhetherRepliesCrossedTheDirector() {
        let md = MarkdownReport.render(SyntheticSummary.run())
        XCTAssertTrue(md.contains("nat: replies crossed the director"))
        XCTAssertTrue(md.contains("dr: replies did not cross the director"))
        XCTAssertTrue(md.contains("| nat | wrr | default | 4 | http |"))
        XCTAssertTrue(md.contains("one CPU"))
    }

    /// Renders the report in headless Chromium and checks the screenshot is not blank.
    func testHTMLRendersInHeadlessChromium() throws {
        guard let chromium = ToolLocator.find("chromium") else {
            throw XCTSkip("chromium not installed: run scripts/setup.sh")
        }
        var summary = SyntheticSummary.run()
        summary.sweep = SyntheticSummary.sweep().sweep
        let dir = try ResultDirectory.create(name: "render", under: root)
        try dir.write(summary: summary)
        try ReportWriter.render(summary, into: dir)
        let png = root.appendingPathComponent("report.png")
        let profile = root.appendingPathComponent("chromium-profile")
        let result = try ProcessRunner.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                            "--user-data-dir=\(profile.path)", "--hide-scrollbars",
                                            "--screenshot=\(png.path)", "--window-size=1280,2400",
                                            dir.htmlURL.absoluteString], timeout: 120)
        XCTAssertTrue(result.succeeded, result.stderr)
        let data = try Data(contentsOf: png)
        XCTAssertGreaterThan(data.count, 20_000, "a screenshot of charts and tables is not this small")
        let stats = try PNGColours.stats(of: png)
        XCTAssertGreaterThan(stats.distinctColours, 8, "the screenshot should show text and coloured charts")
        XCTAssertGreaterThan(stats.inkFraction, 0.02, "the screenshot is (nearly) blank")
        XCTAssertGreaterThan(stats.bluePixels, 1_000, "no chart bars in the first series colour are visible")
        XCTAssertGreaterThan(stats.orangePixels, 1_000, "no chart bars in the second series colour are visible")
        if let keep = ProcessInfo.processInfo.environment["LVSBENCH_KEEP_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: png, to: URL(fileURLWithPath: keep))
            try? FileManager.default.removeItem(atPath: keep + ".html")
            try FileManager.default.copyItem(at: dir.htmlURL, to: URL(fileURLWithPath: keep + ".html"))
        }
    }
}

final class ReportLabelTests: XCTestCase {
    func testWeightSetsKeepCellsApartInKeysAndTables() throws {
        var summary = SyntheticSummary.run()
        var other = summary.cells[1]
        for i in other.perReal.indices { other.perReal[i].weight = [3, 1, 1, 1][i] }
        summary.cells.append(other)
        XCTAssertNotEqual(summary.cells[1].key, other.key)
        XCTAssertEqual(other.key.description, "nat/wrr/default/4r/http/w3.1.1.1")
        let md = MarkdownReport.render(summary)
        XCTAssertTrue(md.contains("| load | weights |"), "a weights column when weight sets vary")
        XCTAssertTrue(md.contains("nat/wrr/w3.1.1.1"), md)
        XCTAssertFalse(MarkdownReport.render(SyntheticSummary.run()).contains("| load | weights |"))
    }
}
