import Foundation
import Reports
import Results
import SystemKit
import XCTest

final class ComparisonTests: XCTestCase {
    func testARunPassesAgainstItself() throws {
        let run = SyntheticSummary.run()
        let result = try Comparison.compare(base: run, new: run, threshold: 0.05)
        XCTAssertTrue(result.passed)
        XCTAssertEqual(result.regressions, [])
        XCTAssertTrue(result.text().contains("PASS"))
    }

    func testHalvedThroughputFails() throws {
        let base = SyntheticSummary.run()
        var halved = base
        for i in halved.cells.indices {
            let c = halved.cells[i]
            halved.cells[i] = SyntheticSummary.cell(mode: c.mode, scheduler: c.scheduler, rps: c.rps / 2)
        }
        let result = try Comparison.compare(base: base, new: halved, threshold: 0.05)
        XCTAssertFalse(result.passed)
        XCTAssertEqual(Set(result.regressions.map(\.metric)), ["LB overhead ratio", "req/s"])
        XCTAssertEqual(result.regressions.count, base.cells.count * 2)
        XCTAssertTrue(result.text().contains("FAIL"))
        let firstRaw = result.changes.firstIndex { $0.kind == .raw }!
        XCTAssertFalse(result.changes[firstRaw...].contains { $0.kind != .raw }, "same-run figures come first")
    }

    func testADropWithinTheSpreadOfBothRunsIsNoise() throws {
        let base = SyntheticSummary.run()
        var new = base
        new.cells[0] = SyntheticSummary.cell(mode: .nat, scheduler: .rr, rps: 14_500, rpsRepeats: [13_000, 14_500, 16_000])
        var wide = base
        wide.cells[0] = SyntheticSummary.cell(mode: .nat, scheduler: .rr, rps: 15_800, rpsRepeats: [14_000, 15_800, 17_000])
        let result = try Comparison.compare(base: wide, new: new, threshold: 0.05)
        let rps = result.changes.first { $0.cell == wide.cells[0].key.description && $0.metric == "req/s" }!
        XCTAssertEqual(rps.verdict, .noise)
        XCTAssertTrue(result.passed)
    }

    func testShareDriftAndMissingCellsFail() throws {
        let base = SyntheticSummary.run()
        var drifted = base
        drifted.cells[1].perReal[0].observedShare += 0.12
        XCTAssertEqual(try Comparison.compare(base: base, new: drifted, threshold: 0.05).regressions.map(\.kind), [.share])
        var partial = base
        partial.cells.removeLast()
        let result = try Comparison.compare(base: base, new: partial, threshold: 0.05)
        XCTAssertFalse(result.passed)
        XCTAssertEqual(result.missingCells, [base.cells.last!.key.description])
        var none = base
        none.cells = []
        none.complete = false
        let empty = try Comparison.compare(base: base, new: none, threshold: 0.05)
        XCTAssertFalse(empty.passed)
        XCTAssertEqual(empty.missingCells.count, base.cells.count)
    }

    func testDisjointMatricesAndBadThresholdsAreBadInput() {
        let base = SyntheticSummary.run()
        var other = base
        for i in other.cells.indices { other.cells[i].profile = "tuned" }
        XCTAssertThrowsError(try Comparison.compare(base: base, new: other, threshold: 0.05)) {
            XCTAssertEqual(($0 as? UserFacingError)?.exitStatus, .usage)
        }
        XCTAssertEqual(try Comparison.parseThreshold("5%"), 0.05, accuracy: 1e-12)
        XCTAssertEqual(try Comparison.parseThreshold("2.5"), 0.025, accuracy: 1e-12)
        for bad in ["", "-1%", "abc", "100%"] { XCTAssertThrowsError(try Comparison.parseThreshold(bad), bad) }
    }

    func testJSONCarriesTheVerdict() throws {
        let run = SyntheticSummary.run()
        let data = try JSONCoding.encode(try Comparison.compare(base: run, new: run, threshold: 0.05))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        XCTAssertEqual(json["passed"] as? Bool, true)
        XCTAssertEqual(json["regression_count"] as? Int, 0)
        XCTAssertEqual(try JSONCoding.decode(Comparison.self, from: data).changes.count, (json["changes"] as! [Any]).count)
    }
}
