import XCTest
import SystemKit
import Vocabulary
@testable import Experiments

final class SweepSettingsTests: XCTestCase {
    func testDefaultsAndParsing() throws {
        let d = try SweepSettings()
        XCTAssertEqual(d.modes, [.nat, .dr, .tun])
        XCTAssertEqual(d.realCounts, [1, 2, 4, 8, 12, 16, 20, 24, 32])
        XCTAssertEqual(d.cap, .bytesPerSecond(400 * 1024))
        XCTAssertEqual(d.maxReals, 32)
        XCTAssertEqual(d.connections(forReals: 20), 80)
        let s = try SweepSettings(reals: try ListOption.parse("8,2,4", option: "--reals", SweepSettings.realCount),
                                  realRate: try SweepSettings.realRate("1MB/s"))
        XCTAssertEqual(s.realCounts, [2, 4, 8])
        XCTAssertEqual(s.cap, .bytesPerSecond(1 << 20))
        XCTAssertEqual(d.load, .http, "keep-alive by default")
        XCTAssertEqual(try SweepSettings(load: try SweepSettings.load("http-close")).load, .httpClose)
    }

    func testHostCheckRefusesAnUnwritableOut() {
        XCTAssertThrowsError(try SweepSettings(outDir: "/proc/lvsbench-results").checkHost()) { error in
            XCTAssertEqual((error as? InvalidInput)?.exitStatus, .usage)
            XCTAssertTrue("\(error)".hasPrefix("--out /proc/lvsbench-results is not writable"), "\(error)")
        }
        XCTAssertNoThrow(try SweepSettings(outDir: FileManager.default.temporaryDirectory.path).checkHost())
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
        XCTAssertThrowsError(try ListOption.parse("1,x", option: "--reals", SweepSettings.realCount))
        XCTAssertThrowsError(try SweepSettings.realRate("fast"))
        XCTAssertThrowsError(try SweepSettings(realRate: 1 << 20, realRPS: 100)) { error in
            XCTAssertEqual("\(error)", "--real-rate and --real-rps both given: cap the reals one way, not both")
        }
        XCTAssertThrowsError(try RunSettings.window("0s")) { XCTAssertEqual(($0 as? InvalidInput)?.exitStatus, .usage) }
    }
}
