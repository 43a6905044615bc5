import XCTest
import SystemKit
import Vocabulary
@testable import Experiments

final class SweepSettingsTests: XCTestCase {
    func testDefaultsAndParsing() throws {
        var r = SweepRequest()
        r.outDir = FileManager.default.temporaryDirectory.path
        let d = try SweepSettings.validated(r)
        XCTAssertEqual(d.modes, [.nat, .dr, .tun])
        XCTAssertEqual(d.realCounts, [1, 2, 4, 8, 12, 16, 20, 24, 32])
        XCTAssertEqual(d.cap, .bytesPerSecond(400 * 1024))
        XCTAssertEqual(d.maxReals, 32)
        XCTAssertEqual(d.connections(forReals: 20), 80)
        r.reals = try ListOption.parse("8,2,4", option: "--reals", SweepSettings.realCount)
        r.realRate = try SweepSettings.realRate("1MB/s")
        let s = try SweepSettings.validated(r)
        XCTAssertEqual(s.realCounts, [2, 4, 8])
        XCTAssertEqual(s.cap, .bytesPerSecond(1 << 20))
        XCTAssertEqual(d.load, .http, "keep-alive by default")
        r.load = try SweepSettings.load("http-close")
        XCTAssertEqual(try SweepSettings.validated(r).load, .httpClose)
    }

    func testSweepLoadIsHTTPOrHTTPClose() {
        for bad in ["tcp-rr", "tcp-crr", "udp", ""] {
            XCTAssertThrowsError(try SweepSettings.load(bad), bad) { error in
                XCTAssertEqual((error as? InvalidInput)?.exitStatus, .usage)
                XCTAssertEqual("\(error)", "--load '\(bad)' is not a sweep load: use http or http-close")
            }
        }
    }

    func testBadSweepInput() {
        let out = FileManager.default.temporaryDirectory.path
        XCTAssertThrowsError(try ListOption.parse("1,x", option: "--reals", SweepSettings.realCount))
        XCTAssertThrowsError(try SweepSettings.realRate("fast"))
        var r = SweepRequest(); r.outDir = out; r.realRate = 1 << 20; r.realRPS = 100
        XCTAssertThrowsError(try SweepSettings.validated(r))
        XCTAssertThrowsError(try RunSettings.window("0s")) { XCTAssertEqual(($0 as? InvalidInput)?.exitStatus, .usage) }
    }
}
