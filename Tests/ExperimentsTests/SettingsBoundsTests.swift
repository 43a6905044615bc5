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
        let cases: [(String, (String) -> () throws -> Void)] = [
            ("--rate", { out in { _ = try RunSettings(rate: 1e19, outDir: out) } }),
            ("--rate", { out in { _ = try RunSettings(rate: 1e-30, outDir: out) } }),
            ("--rate", { out in { _ = try RunSettings(rate: .nan, outDir: out) } }),
            ("--rate", { out in { _ = try RunSettings(rate: .infinity, outDir: out) } }),
            ("--duration", { out in { _ = try RunSettings(duration: try RunSettings.window("1e19s"), outDir: out) } }),
            ("--duration", { out in { _ = try RunSettings(duration: try RunSettings.window("25h"), outDir: out) } }),
            ("--duration", { out in { _ = try RunSettings(duration: try RunSettings.window("99ms"), outDir: out) } }),
            ("--warmup", { out in { _ = try RunSettings(warmup: try RunSettings.warmupSeconds("25h"), outDir: out) } }),
            ("--warmup", { out in { _ = try RunSettings(warmup: try RunSettings.warmupSeconds("10ms"), outDir: out) } }),
            ("-c", { out in { _ = try RunSettings(connections: LoadOptions.maxConnections + 1, outDir: out) } }),
            ("-c", { out in { _ = try RunSettings(connections: 0, outDir: out) } }),
        ]
        for (option, body) in cases {
            let dir = out
            XCTAssertThrowsError(try body(dir)(), option) { error in
                XCTAssertTrue(error is InvalidInput && "\(error)".hasPrefix(option), "\(option): \(error)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir))
        }
    }

    func testRunAcceptsTheBounds() throws {
        let s = try RunSettings(connections: LoadOptions.maxConnections, rate: Quantities.maxRate,
                                duration: try RunSettings.window("24h"), warmup: try RunSettings.warmupSeconds("100ms"),
                                outDir: out)
        XCTAssertEqual(s.rate, 1e8)
        XCTAssertEqual(s.duration, 86_400)
        XCTAssertEqual(s.warmup, 0.1, accuracy: 1e-12)
        let low = try RunSettings(connections: LoadOptions.maxConnections, rate: Quantities.minRate, duration: try RunSettings.window("100ms"),
                                  warmup: try RunSettings.warmupSeconds("0"), outDir: out)
        XCTAssertEqual(low.warmup, 0)
        XCTAssertEqual(low.duration, 0.1, accuracy: 1e-12)
    }

    func testSweepBounds() throws {
        let bad: [(String, (String) -> () throws -> Void)] = [
            ("--real-rps", { out in { _ = try SweepSettings(realRPS: 9_000_000_000_000_000_000, outDir: out) } }),
            ("--real-rps", { out in { _ = try SweepSettings(realRPS: 0, outDir: out) } }),
            ("--real-rate", { out in { _ = try SweepSettings(realRate: try SweepSettings.realRate("2GB/s"), outDir: out) } }),
            ("--real-rate", { out in { _ = try SweepSettings(realRate: try SweepSettings.realRate("100/s"), outDir: out) } }),
            ("--duration", { out in { _ = try SweepSettings(duration: try RunSettings.window("1e19s"), outDir: out) } }),
            ("--warmup", { out in { _ = try SweepSettings(warmup: try RunSettings.warmupSeconds("1000000h"), outDir: out) } }),
            ("-c", { out in { _ = try SweepSettings(connections: 1_000_000, outDir: out) } }),
        ]
        for (option, body) in bad {
            XCTAssertThrowsError(try body(out)(), option) { error in
                XCTAssertTrue(error is InvalidInput && "\(error)".hasPrefix(option), "\(option): \(error)")
            }
        }
        XCTAssertEqual(try SweepSettings(realRPS: Int(Quantities.maxRate), outDir: out).cap, .requestsPerSecond(100_000_000))
        XCTAssertEqual(try SweepSettings(realRate: try SweepSettings.realRate("1GB/s"), outDir: out).cap,
                       .bytesPerSecond(1 << 30))
    }
}
