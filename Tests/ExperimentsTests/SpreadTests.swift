import XCTest
@testable import Experiments

final class SpreadTests: XCTestCase {
    func testMedianAndSpread() throws {
        let s = try XCTUnwrap(Spread([10, 30, 20]))
        XCTAssertEqual(s.median, 20)
        XCTAssertEqual(s.relative, 1, accuracy: 1e-9)
        XCTAssertEqual(s.medianIndex, 2)
        let even = try XCTUnwrap(Spread([4, 1, 3, 2]))
        XCTAssertEqual(even.median, 2.5)
        XCTAssertEqual(try XCTUnwrap(Spread([7])).relative, 0)
        XCTAssertNil(Spread([]))
    }
}
