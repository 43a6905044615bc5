import SystemKit
import XCTest

final class QuantitiesTests: XCTestCase {
    func testDurations() throws {
        XCTAssertEqual(try Quantities.duration("2"), 2)
        XCTAssertEqual(try Quantities.duration("2s"), 2)
        XCTAssertEqual(try Quantities.duration("100ms"), 0.1, accuracy: 1e-9)
        XCTAssertEqual(try Quantities.duration("1m"), 60)
        XCTAssertEqual(try Quantities.duration("1.5h"), 5400)
    }

    func testBadDurationsAreInvalidInputNamingTheValue() {
        for bad in ["0", "-1s", "abc", "", "10x", "nan"] {
            XCTAssertThrowsError(try Quantities.duration(bad, what: "--duration")) { error in
                guard let e = error as? InvalidInput else { return XCTFail("\(bad): \(error)") }
                XCTAssertTrue(e.description.contains("--duration"))
                XCTAssertEqual(e.exitStatus, .usage)
            }
        }
    }

    func testBytesAndRates() throws {
        XCTAssertEqual(try Quantities.bytes("64"), 64)
        XCTAssertEqual(try Quantities.bytes("4K"), 4096)
        XCTAssertEqual(try Quantities.bytes("4KB"), 4096)
        XCTAssertEqual(try Quantities.bytes("1MiB"), 1 << 20)
        XCTAssertEqual(try Quantities.byteRate("400KB/s"), 400 * 1024)
        XCTAssertThrowsError(try Quantities.byteRate("0KB/s"))
        XCTAssertThrowsError(try Quantities.bytes("lots"))
    }
}
