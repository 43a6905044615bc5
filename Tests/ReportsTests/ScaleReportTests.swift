import Foundation
import Reports
import Results
import SystemKit
import XCTest

/// `lvsbench scale`'s part of a result: the summary's `scale` section, scale.csv, the
/// report's section with its verdict per balancer, and the claim's verdict logic.
final class ScaleReportTests: XCTestCase {
    static func point(_ n: Int, program: Double, p50: Double) -> ScalePoint {
        ScalePoint(services: n, programSeconds: program, changeSeconds: 0.09, removeSeconds: program / 2,
                   p50US: p50, p99US: p50 * 3, connectionsPerSecond: 2_000_000 / p50, directorCPUPct: 80)
    }

    /// IPVS flat (batch programming, latency within noise); iptables walking 10,000 rules.
    static func summary() -> Summary {
        var s = SyntheticSummary.run(name: "scale")
        s.cells = []
        s.commandLine = ["lvsbench", "scale", "--balancer", "ipvs,iptables"]
        s.scale = [
            "ipvs": ScaleCurve(points: [point(1, program: 0.1, p50: 1800), point(100, program: 1.5, p50: 1600),
                                        point(10_000, program: 90, p50: 1900)], load: "tcp-crr"),
            "iptables": ScaleCurve(points: [point(1, program: 0.05, p50: 1500), point(100, program: 0.4, p50: 1700),
                                            point(10_000, program: 2000, p50: 9000)], load: "tcp-crr"),
        ]
        return s
    }

    func testVerdictComparesTheLargestCountWithTheSmallest() throws {
        let ipvs = try XCTUnwrap(Self.summary().scale?["ipvs"]?.verdict)
        XCTAssertEqual(ipvs.smallest, 1)
        XCTAssertEqual(ipvs.largest, 10_000)
        XCTAssertEqual(ipvs.latencyRatio, 1900.0 / 1800.0, accuracy: 1e-9)
        XCTAssertEqual(ipvs.programRatio, (90.0 / 10_000) / 0.1, accuracy: 1e-9)
        XCTAssertTrue(ipvs.flat)
        XCTAssertTrue(ipvs.matchesClaim(for: "ipvs"))
        XCTAssertTrue(ipvs.matchesClaim(for: "nftables"))
        XCTAssertFalse(ipvs.matchesClaim(for: "iptables"), "a flat iptables contradicts the claim")

        let iptables = try XCTUnwrap(Self.summary().scale?["iptables"]?.verdict)
        XCTAssertTrue(iptables.latencyGrows)
        XCTAssertTrue(iptables.programmingGrows)
        XCTAssertTrue(iptables.matchesClaim(for: "iptables"))
        XCTAssertFalse(iptables.matchesClaim(for: "ipvs"))
    }

    func testVerdictNeedsTwoCountsAndABaseToDivideBy() {
        XCTAssertNil(ScaleVerdict([Self.point(100, program: 1, p50: 1000)]))
        XCTAssertNil(ScaleVerdict([]))
        XCTAssertNil(ScaleVerdict([Self.point(1, program: 0.1, p50: 0), Self.point(100, program: 1, p50: 1000)]))
        let limit = ScaleVerdict([Self.point(1, program: 0.1, p50: 1000), Self.point(10, program: 3, p50: 1500)])
        XCTAssertEqual(limit?.latencyGrows, false, "exactly the limit is still flat")
        XCTAssertEqual(limit?.programmingGrows, false)
        let over = ScaleVerdict([Self.point(10, program: 3.01, p50: 1501), Self.point(1, program: 0.1, p50: 1000)])
        XCTAssertEqual(over?.latencyGrows, true, "points in any order")
        XCTAssertEqual(over?.programmingGrows, true)
    }

    func testCSVHasOneRowPerBalancerAndCountInTheClaimsOrder() throws {
        let csv = try XCTUnwrap(ScaleCSV.render(Self.summary()))
        XCTAssertTrue(csv.hasSuffix("\r\n"), "CRLF line ends, as cells.csv")
        let lines = Array(csv.components(separatedBy: "\r\n").dropLast())
        XCTAssertEqual(lines[0], "balancer,load,services,program_s,program_s_per_service,change_s,remove_s,"
            + "p50_us,p99_us,cps,director_cpu_pct,errors")
        XCTAssertEqual(lines.count, 7)
        XCTAssertEqual(lines[1], "iptables,tcp-crr,1,0.05,0.05,0.09,0.025,1500,4500,1333.33,80,0")
        XCTAssertEqual(lines[3], "iptables,tcp-crr,10000,2000,0.2,0.09,1000,9000,27000,222.222,80,0")
        XCTAssertTrue(lines[4].hasPrefix("ipvs,tcp-crr,1,"))
        XCTAssertNil(ScaleCSV.render(SyntheticSummary.run()), "a run has no scale.csv")
    }

    func testReportStatesTheClaimTheTablesAndAVerdictPerBalancer() {
        let md = MarkdownReport.render(Self.summary())
        XCTAssertTrue(md.contains("## Scale: 1 to 10,000 virtual services"), md)
        XCTAssertTrue(md.contains("iptables grows with N, nftables and IPVS stay flat"))
        XCTAssertTrue(md.contains("- iptables: setup latency grows (p50 ×6.00 from 1 to 10,000 services), "
            + "programming per service grows (×4.00): as the claim says."), md)
        XCTAssertTrue(md.contains("- ipvs: setup latency stays flat (p50 ×1.06 from 1 to 10,000 services), "
            + "programming per service stays flat (×0.09): as the claim says."), md)
        XCTAssertTrue(md.contains("| 10,000 | 90.00 s | 9 ms | 0.090 s | 45.00 s | 1.9 ms | 5.7 ms | 1,053 | 80% | 0 |"), md)
        XCTAssertTrue(md.contains("6 scale points"), md)
        XCTAssertFalse(md.contains("0 cells"), md)
        XCTAssertLessThan(md.range(of: "iptables (tcp-crr):")!.lowerBound, md.range(of: "ipvs (tcp-crr):")!.lowerBound)
    }

    func testAClaimNotMetIsSaidAndOtherBalancersAreOutsideIt() {
        var s = Self.summary()
        s.scale = ["nftables": s.scale!["iptables"]!, "haproxy": s.scale!["ipvs"]!,
                   "iptables": s.scale!["ipvs"]!]
        let md = MarkdownReport.render(s)
        XCTAssertTrue(md.contains("- nftables: setup latency grows (p50 ×6.00 from 1 to 10,000 services), "
            + "programming per service grows (×4.00): NOT as the claim says."), md)
        XCTAssertTrue(md.contains("- iptables: setup latency stays flat"), md)
        XCTAssertTrue(md.contains("(×0.09): NOT as the claim says."), md)
        XCTAssertTrue(md.contains("- haproxy: setup latency stays flat"), md)
        XCTAssertTrue(md.contains(": not part of the claim."), md)
        s.scale = ["ipvs": ScaleCurve(points: [Self.point(1, program: 0.1, p50: 1000)], load: "http-close")]
        XCTAssertTrue(MarkdownReport.render(s).contains("- ipvs: fewer than two counts of services measured; no verdict."))
    }

    func testHTMLHasTheCurvesPerBalancerOverALogScale() {
        let html = HTMLReport.render(Self.summary())
        XCTAssertTrue(html.contains("<title>Programming time for N services</title>"), "chart present")
        XCTAssertTrue(html.contains("<title>Connection setup latency to the measured service (p50 and p99)</title>"))
        XCTAssertTrue(html.contains("iptables p99: 4 → 27k"), "x is log10(N): 10,000 services at 4")
        XCTAssertTrue(html.contains("ipvs: 2 → 1.5"), "100 services at 2")
        XCTAssertTrue(html.contains("log10 of the number of services"))
    }

    func testReportsWithoutScaleAreUnchanged() {
        for s in [SyntheticSummary.run(), SyntheticSummary.sweep()] {
            XCTAssertFalse(MarkdownReport.render(s).contains("Scale"))
            XCTAssertFalse(HTMLReport.render(s).contains("Programming time"))
        }
    }

    func testWriterAddsScaleCSVAndTheSummaryRoundTrips() throws {
        let root = try SyntheticSummary.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let summary = Self.summary()
        let dir = try ResultDirectory.create(name: "scale", under: root)
        try dir.write(summary: summary)
        try ReportWriter.render(summary, into: dir)
        XCTAssertEqual(try String(contentsOf: dir.scaleURL, encoding: .utf8), ScaleCSV.render(summary))
        XCTAssertEqual(try dir.readSummary(), summary)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONCoding.encode(summary)) as? [String: Any])
        let ipvs = try XCTUnwrap((json["scale"] as? [String: Any])?["ipvs"] as? [String: Any])
        let first = try XCTUnwrap((ipvs["points"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(first.keys), ["services", "program_s", "change_s", "remove_s", "p50_us", "p99_us", "cps",
                                         "director_cpu_pct", "errors"])

        let other = try ResultDirectory.create(name: "run", under: root.appendingPathComponent("run"))
        try ReportWriter.render(SyntheticSummary.run(), into: other)
        XCTAssertFalse(FileManager.default.fileExists(atPath: other.scaleURL.path))
    }

    func testScaleSummaryValidatesAgainstTheSchema() throws {
        let probe = try ProcessRunner.run(["python3", "-c", "import jsonschema"])
        try XCTSkipUnless(probe.succeeded, "python3 jsonschema missing: run scripts/setup.sh")
        let root = try SyntheticSummary.tempDir()
        defer { try? FileManager.default.removeItem(at: root) }
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("results/schema/summary.schema.json").path
        func validate(_ data: Data) throws -> ProcessResult {
            let file = root.appendingPathComponent("summary-\(UUID().uuidString).json")
            try data.write(to: file)
            return try ProcessRunner.run(["python3", "-", schema, file.path], input: Data(SchemaTests.validator.utf8))
        }
        let good = try validate(try JSONCoding.encode(Self.summary()))
        XCTAssertTrue(good.succeeded, good.stdout + good.stderr)
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONCoding.encode(Self.summary())) as? [String: Any])
        var scale = json["scale"] as! [String: Any]
        var ipvs = scale["ipvs"] as! [String: Any]
        var points = ipvs["points"] as! [[String: Any]]
        points[0].removeValue(forKey: "program_s")
        points[1]["services"] = 0
        ipvs["points"] = points
        scale["ipvs"] = ipvs
        json["scale"] = scale
        let bad = try validate(try JSONSerialization.data(withJSONObject: json))
        XCTAssertFalse(bad.succeeded)
        XCTAssertTrue(bad.stdout.contains("'program_s' is a required property"), bad.stdout)
        XCTAssertTrue(bad.stdout.contains("0 is less than the minimum of 1"), bad.stdout)
    }
}
