import Foundation
import Reports
import Results
import SystemKit
import XCTest

/// `lvsbench scenario`'s part of a result: findings first, the variants' table, the
/// timelines as charts and timeline.csv, from a summary whose figures are known.
final class ScenarioReportTests: XCTestCase {
    static func variant(_ name: String, lostFrom: Double?) -> ScenarioVariant {
        let client = stride(from: 0.0, to: 3.0, by: 0.5).map { t in
            let losing = lostFrom.map { t >= $0 } ?? false
            return ClientInterval(t: t, ok: 50, failed: losing ? 4 : 0, timedOut: losing ? 1 : 0, connectionsOpened: 0,
                                  p99US: 800, perReal: ["real1": 25, "real2": losing ? 0 : 25])
        }
        let director = [0.4, 1.2, 2.4].map { t in
            DirectorSample(t: t, reals: ["198.18.2.12": .init(scheduled: UInt64(t * 10), tableEntries: Int(t * 4))])
        }
        let events = [ScenarioEvent(t: 1.0, doneT: 1.02, what: "nginx and the TCP responder of real2 killed (SIGKILL)")]
        let metrics = VariantMetrics.derive(client: client, director: director, events: events, interval: 0.5,
                                            faultyReal: (address: "198.18.2.12", name: "real2"), brokenConnections: 2,
                                            connections: 8)
        return ScenarioVariant(name: name, description: "The real's servers are killed.", load: "http at 100/s over 8 connections",
                               intervalSeconds: 0.5, events: events, client: client, director: director, metrics: metrics,
                               notes: ["Before the load: net.ipv4.vs.expire_nodest_conn=1."])
    }

    static func summary() -> Summary {
        var s = SyntheticSummary.run(name: "scenario")
        s.cells = []
        s.commandLine = ["lvsbench", "scenario", "dead-real"]
        s.scenario = ScenarioResult(scenario: "dead-real", question: "What happens when a real dies?",
                                    variants: [variant("nothing/http", lostFrom: 1.0), variant("weight-0/http", lostFrom: nil)],
                                    findings: [ScenarioFinding(claim: "Weight 0 drains.", verdict: .shown, evidence: "0 new connections.")])
        return s
    }

    func testMarkdownLeadsWithTheFindingsAndComparesTheVariants() throws {
        let md = MarkdownReport.render(Self.summary())
        XCTAssertTrue(md.contains("2 variants of scenario dead-real"), md)
        XCTAssertTrue(md.contains("What happens when a real dies?"))
        XCTAssertTrue(md.contains("- SHOWN: Weight 0 drains. 0 new connections."), md)
        let findings = try XCTUnwrap(md.range(of: "## Findings")), table = try XCTUnwrap(md.range(of: "## Variants side by side"))
        XCTAssertLessThan(findings.lowerBound, table.lowerBound)
        // nothing/http loses 5 requests per interval from 1.0 s on: 4 intervals, never recovered.
        XCTAssertTrue(md.contains("| nothing/http | 1.0 s |"), md)
        XCTAssertTrue(md.contains("20 (16 failed, 4 timed out) | no |"), md)
        XCTAssertTrue(md.contains("| weight-0/http | 1.0 s | 100 | 0 (0 failed, 0 timed out) | 0.00 s |"), md)
        XCTAssertTrue(md.contains("at 1.00 s: nginx and the TCP responder of real2 killed"), md)
        XCTAssertFalse(md.contains("## Results per cell"))
    }

    func testHTMLDrawsTheTimelines() {
        let html = HTMLReport.render(Self.summary())
        XCTAssertTrue(html.contains("Requests lost per second (failed + timed out)"))
        XCTAssertTrue(html.contains("Director: connection-table entries pointing at the faulty real"))
        XCTAssertTrue(html.contains(">fault<"), "the fault is marked on the timeline")
    }

    func testTimelineCSVHasARowPerVariantAndInterval() throws {
        let csv = try XCTUnwrap(ScenarioCSV.render(Self.summary()))
        let lines = csv.components(separatedBy: "\r\n")
        XCTAssertEqual(lines.first, ScenarioCSV.header)
        XCTAssertEqual(lines.count, 1 + 2 * 6 + 1)
        XCTAssertEqual(lines[4], "nothing/http,1.5,50,4,1,0,800,0,12,", "the director's count at 1.2 s, the last sample before 2.0 s; no wire count")
        XCTAssertNil(ScenarioCSV.render(SyntheticSummary.run(name: "plain")))
    }

    func testTheSummaryRoundTripsThroughJSON() throws {
        let s = Self.summary()
        let decoded = try JSONCoding.decode(Summary.self, from: try JSONCoding.encode(s))
        XCTAssertEqual(decoded.scenario, s.scenario)
    }
}
