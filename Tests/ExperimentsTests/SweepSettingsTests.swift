import XCTest
import SystemKit
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
        r.reals = "8,2,4"
        r.realRate = "1MB/s"
        let s = try SweepSettings.validated(r)
        XCTAssertEqual(s.realCounts, [2, 4, 8])
        XCTAssertEqual(s.cap, .bytesPerSecond(1 << 20))
        XCTAssertEqual(d.load, .http, "keep-alive by default")
        r.load = "http-close"
        XCTAssertEqual(try SweepSettings.validated(r).load, .httpClose)
    }

    func testSweepLoadIsHTTPOrHTTPClose() {
        var r = SweepRequest()
        r.outDir = FileManager.default.temporaryDirectory.path
        for bad in ["tcp-rr", "tcp-crr", "udp", ""] {
            r.load = bad
            XCTAssertThrowsError(try SweepSettings.validated(r), bad) { error in
                XCTAssertEqual((error as? InvalidInput)?.exitStatus, .usage)
                XCTAssertEqual("\(error)", "--load '\(bad)' is not a sweep load: use http or http-close")
            }
        }
    }

    func testBadSweepInput() {
        let out = FileManager.default.temporaryDirectory.path
        var r = SweepRequest(); r.outDir = out; r.reals = "1,x"
        XCTAssertThrowsError(try SweepSettings.validated(r))
        r = SweepRequest(); r.outDir = out; r.realRate = "fast"
        XCTAssertThrowsError(try SweepSettings.validated(r))
        r = SweepRequest(); r.outDir = out; r.realRate = "1MB/s"; r.realRPS = 100
        XCTAssertThrowsError(try SweepSettings.validated(r))
        r = SweepRequest(); r.outDir = out; r.duration = "0s"
        XCTAssertThrowsError(try SweepSettings.validated(r)) { XCTAssertEqual(($0 as? InvalidInput)?.exitStatus, .usage) }
    }
}
