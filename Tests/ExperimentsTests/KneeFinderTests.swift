import XCTest
@testable import Experiments

final class KneeFinderTests: XCTestCase {
    private func points(_ pairs: [(Int, Double)]) -> [KneeFinder.Point] {
        pairs.map { KneeFinder.Point(reals: $0.0, rps: $0.1) }
    }

    func testKneeIsLastPointBeforeGainsFlatten() {
        // 500 req/s per real up to 8 reals, then the director saturates near 5,000.
        let p = points([(1, 500), (2, 1000), (4, 2000), (8, 4000), (12, 4900), (16, 5000), (20, 5010)])
        XCTAssertEqual(KneeFinder.perRealCapacity(p), 500)
        // 8 -> 12 adds 225 per real (< 250): the knee is 8.
        XCTAssertEqual(KneeFinder.knee(p), 8)
        XCTAssertEqual(KneeFinder.knee(p, threshold: 0.4), 12)
    }

    func testNoKneeWhileThroughputKeepsGrowing() {
        XCTAssertNil(KneeFinder.knee(points([(1, 400), (2, 810), (4, 1600)])))
        XCTAssertNil(KneeFinder.knee(points([(4, 1600)])))
        XCTAssertNil(KneeFinder.knee(points([(1, 0), (2, 0)])))
    }

    func testUnsortedPointsAndExplicitCapacity() {
        let p = points([(4, 1100), (1, 400), (2, 800)])
        XCTAssertEqual(KneeFinder.knee(p), 2)
        XCTAssertNil(KneeFinder.knee(p, perReal: 300))
    }
}
