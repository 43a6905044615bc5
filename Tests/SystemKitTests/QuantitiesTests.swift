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

    /// The bounds every command holds its quantities to, with the message naming the option.
    func testQuantitiesOutsideTheirBoundsAreInvalidInput() {
        let cases: [(String, () throws -> Any)] = [
            ("--duration", { try Quantities.duration("1000000h", what: "--duration") }),
            ("--duration", { try Quantities.duration("1e19s", what: "--duration") }),
            ("--duration", { try Quantities.duration("1e400", what: "--duration") }),
            ("--duration", { try Quantities.duration("0.1us", what: "--duration") }),
            ("--window", { try Quantities.duration("50ms", what: "--window", range: 0.1...10) }),
            ("--rate", { try Quantities.checkRate(1e-30, what: "--rate") }),
            ("--rate", { try Quantities.checkRate(1e19, what: "--rate") }),
            ("--rate", { try Quantities.checkRate(.nan, what: "--rate") }),
            ("--rate", { try Quantities.checkRate(-.infinity, what: "--rate") }),
            ("-c", { try Quantities.checkCount(0, what: "-c", range: 1...10) }),
            ("--size", { try Quantities.bytes("99999999999999999999", what: "--size") }),
            ("--size", { try Quantities.bytes("2048G", what: "--size") }),
            ("--size", { try Quantities.bytes("0.5", what: "--size") }),
            ("--size", { try Quantities.bytes("-1", what: "--size") }),
            ("--real-rate", { try Quantities.byteRate("2GB/s", what: "--real-rate") }),
            ("--real-rate", { try Quantities.byteRate("10/s", what: "--real-rate") }),
            ("--real-rate", { try Quantities.byteRate("1e30KB/s", what: "--real-rate") }),
        ]
        for (option, parse) in cases {
            XCTAssertThrowsError(try parse(), option) { error in
                guard let e = error as? InvalidInput else { return XCTFail("\(option): \(error)") }
                XCTAssertTrue(e.description.hasPrefix(option), e.description)
            }
        }
        XCTAssertEqual(try Quantities.duration("24h"), 86_400)
        XCTAssertEqual(try Quantities.duration("1us"), 0.000_001, accuracy: 1e-12)
        XCTAssertEqual(try Quantities.duration("100ms", range: 0.1...1), 0.1, accuracy: 1e-12)
        XCTAssertNoThrow(try Quantities.checkRate(1e8, what: "--rate"))
        XCTAssertNoThrow(try Quantities.checkRate(0.001, what: "--rate"))
        XCTAssertEqual(try Quantities.byteRate("1GB/s"), 1 << 30)
        XCTAssertEqual(Quantities.spell(seconds: 0.1), "100ms")
        XCTAssertEqual(Quantities.spell(seconds: 86_400), "24h")
    }
}
