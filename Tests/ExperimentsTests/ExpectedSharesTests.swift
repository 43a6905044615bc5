import XCTest
import IPVSControl
@testable import Experiments
import Vocabulary

final class ExpectedSharesTests: XCTestCase {
    func testWeightedSchedulersFollowWeights() throws {
        for s in [Scheduler.wrr, .wlc, .sed, .nq] {
            let shares = try XCTUnwrap(ExpectedShares.compute(scheduler: s, weights: [5, 5, 1, 1]))
            XCTAssertEqual(shares[0], 5.0 / 12, accuracy: 1e-9)
            XCTAssertEqual(shares[3], 1.0 / 12, accuracy: 1e-9)
            XCTAssertEqual(shares.reduce(0, +), 1, accuracy: 1e-9)
        }
    }

    func testUnweightedSchedulersSplitEquallyButSkipWeightZero() throws {
        XCTAssertEqual(ExpectedShares.compute(scheduler: .rr, weights: [5, 5, 1, 1]), [0.25, 0.25, 0.25, 0.25])
        XCTAssertEqual(ExpectedShares.compute(scheduler: .lc, weights: [5, 0, 1, 0]), [0.5, 0, 0.5, 0])
        XCTAssertEqual(ExpectedShares.compute(scheduler: .wrr, weights: [3, 0, 1]), [0.75, 0, 0.25])
    }

    func testFailoverAndUnpredictableSchedulers() {
        XCTAssertEqual(ExpectedShares.compute(scheduler: .fo, weights: [1, 7, 7]), [0, 1, 0])
        for s in [Scheduler.sh, .dh, .mh, .lblc, .lblcr, .ovf] {
            XCTAssertNil(ExpectedShares.compute(scheduler: s, weights: [1, 1]), s.rawValue)
        }
        XCTAssertNil(ExpectedShares.compute(scheduler: .rr, weights: [0, 0]))
    }

    func testObservedSharesFollowRealOrder() throws {
        let shares = try XCTUnwrap(ExpectedShares.observed(counts: ["real2": 30, "real1": 10, "other": 99],
                                                           names: ["real1", "real2", "real3"]))
        XCTAssertEqual(shares, [0.25, 0.75, 0])
        XCTAssertNil(ExpectedShares.observed(counts: [:], names: ["real1"]))
    }
}
