import Foundation
import LoadGen
import SystemKit
import XCTest
@testable import Experiments

/// `run` and `sweep` settings hold every quantity to its bounds before anything is built,
/// and accept the bounds themselves.
final class SettingsBoundsTests: XCTestCase {
    private var out: String { FileManager.default.temporaryDirectory.appendingPathComponent("bounds-\(UUID().uuidString)").path }

    func testRunRejectsOutOfBoundsQuantities() {
        let cases: [(String, (inout RunRequest) -> Void)] = [
            ("--rate", { $0.rate = 1e19 }), ("--rate", { $0.rate = 1e-30 }), ("--rate", { $0.rate = .nan }),
            ("--rate", { $0.rate = .infinity }), ("--duration", { $0.duration = "1e19s" }),
            ("--duration", { $0.duration = "25h" }), ("--duration", { $0.duration = "99ms" }),
            ("--warmup", { $0.warmup = "25h" }), ("--warmup", { $0.warmup = "10ms" }),
            ("-c", { $0.connections = LoadOptions.maxConnections + 1 }), ("-c", { $0.connections = 0 }),
        ]
        for (option, change) in cases {
            var r = RunRequest()
            r.outDir = out
            change(&r)
            XCTAssertThrowsError(try RunSettings.validated(r), option) { error in
                XCTAssertTrue(error is InvalidInput && "\(error)".hasPrefix(option), "\(option): \(error)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: r.outDir!))
        }
    }

    func testRunAcceptsTheBounds() throws {
        var r = RunRequest()
        r.outDir = out
        r.rate = Quantities.maxRate
        r.duration = "24h"
        r.warmup = "100ms"
        r.connections = LoadOptions.maxConnections
        let s = try RunSettings.validated(r)
        XCTAssertEqual(s.rate, 1e8)
        XCTAssertEqual(s.duration, 86_400)
        XCTAssertEqual(s.warmup, 0.1, accuracy: 1e-12)
        r.rate = Quantities.minRate
        r.duration = "100ms"
        r.warmup = "0"
        XCTAssertEqual(try RunSettings.validated(r).warmup, 0)
    }

    func testSweepBounds() throws {
        let bad: [(String, (inout SweepRequest) -> Void)] = [
            ("--real-rps", { $0.realRPS = 9_000_000_000_000_000_000 }), ("--real-rps", { $0.realRPS = 0 }),
            ("--real-rate", { $0.realRate = "2GB/s" }), ("--real-rate", { $0.realRate = "100/s" }),
            ("--duration", { $0.duration = "1e19s" }), ("--warmup", { $0.warmup = "1000000h" }),
            ("-c", { $0.connections = 1_000_000 }),
        ]
        for (option, change) in bad {
            var r = SweepRequest()
            r.outDir = out
            change(&r)
            XCTAssertThrowsError(try SweepSettings.validated(r), option) { error in
                XCTAssertTrue(error is InvalidInput && "\(error)".hasPrefix(option), "\(option): \(error)")
            }
        }
        var r = SweepRequest()
        r.outDir = out
        r.realRPS = Int(Quantities.maxRate)
        XCTAssertEqual(try SweepSettings.validated(r).cap, .requestsPerSecond(100_000_000))
        r.realRPS = nil
        r.realRate = "1GB/s"
        XCTAssertEqual(try SweepSettings.validated(r).cap, .bytesPerSecond(1 << 30))
    }
}
