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
        func validated(_ change: @escaping (inout RunRequest) throws -> Void) -> (String) -> () throws -> Void {
            { out in { var r = RunRequest(); r.outDir = out; try change(&r); _ = try RunSettings.validated(r) } }
        }
        let cases: [(String, (String) -> () throws -> Void)] = [
            ("--rate", validated { $0.rate = 1e19 }), ("--rate", validated { $0.rate = 1e-30 }),
            ("--rate", validated { $0.rate = .nan }), ("--rate", validated { $0.rate = .infinity }),
            ("--duration", validated { $0.duration = try RunSettings.window("1e19s") }),
            ("--duration", validated { $0.duration = try RunSettings.window("25h") }),
            ("--duration", validated { $0.duration = try RunSettings.window("99ms") }),
            ("--warmup", validated { $0.warmup = try RunSettings.warmupSeconds("25h") }),
            ("--warmup", validated { $0.warmup = try RunSettings.warmupSeconds("10ms") }),
            ("-c", validated { $0.connections = LoadOptions.maxConnections + 1 }), ("-c", validated { $0.connections = 0 }),
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
        var r = RunRequest()
        r.outDir = out
        r.rate = Quantities.maxRate
        r.duration = try RunSettings.window("24h")
        r.warmup = try RunSettings.warmupSeconds("100ms")
        r.connections = LoadOptions.maxConnections
        let s = try RunSettings.validated(r)
        XCTAssertEqual(s.rate, 1e8)
        XCTAssertEqual(s.duration, 86_400)
        XCTAssertEqual(s.warmup, 0.1, accuracy: 1e-12)
        r.rate = Quantities.minRate
        r.duration = try RunSettings.window("100ms")
        r.warmup = try RunSettings.warmupSeconds("0")
        XCTAssertEqual(try RunSettings.validated(r).warmup, 0)
    }

    func testSweepBounds() throws {
        func validated(_ change: @escaping (inout SweepRequest) throws -> Void) -> (String) -> () throws -> Void {
            { out in { var r = SweepRequest(); r.outDir = out; try change(&r); _ = try SweepSettings.validated(r) } }
        }
        let bad: [(String, (String) -> () throws -> Void)] = [
            ("--real-rps", validated { $0.realRPS = 9_000_000_000_000_000_000 }), ("--real-rps", validated { $0.realRPS = 0 }),
            ("--real-rate", validated { $0.realRate = try SweepSettings.realRate("2GB/s") }),
            ("--real-rate", validated { $0.realRate = try SweepSettings.realRate("100/s") }),
            ("--duration", validated { $0.duration = try RunSettings.window("1e19s") }),
            ("--warmup", validated { $0.warmup = try RunSettings.warmupSeconds("1000000h") }),
            ("-c", validated { $0.connections = 1_000_000 }),
        ]
        for (option, body) in bad {
            XCTAssertThrowsError(try body(out)(), option) { error in
                XCTAssertTrue(error is InvalidInput && "\(error)".hasPrefix(option), "\(option): \(error)")
            }
        }
        var r = SweepRequest()
        r.outDir = out
        r.realRPS = Int(Quantities.maxRate)
        XCTAssertEqual(try SweepSettings.validated(r).cap, .requestsPerSecond(100_000_000))
        r.realRPS = nil
        r.realRate = try SweepSettings.realRate("1GB/s")
        XCTAssertEqual(try SweepSettings.validated(r).cap, .bytesPerSecond(1 << 30))
    }
}
