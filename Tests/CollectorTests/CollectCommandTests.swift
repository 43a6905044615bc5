import Foundation
import SystemKit
import XCTest

/// The CLI's contract for bad input: one line, exit 2, nothing written.
final class CollectCommandTests: XCTestCase {
    func run(_ args: [String]) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["LVSBENCH_RUN_DIR"] = NSTemporaryDirectory() + "lvsbench-collect-none-\(getpid())"
        return try ProcessRunner.run([LiveLabCollectionTests.binary] + args, timeout: 60, environment: env)
    }

    func testBadInputIsOneLineExitTwo() throws {
        let out = NSTemporaryDirectory() + "lvsbench-collect-bad-\(getpid()).jsonl"
        for args in [["collect", "--interval", "50ms", "--out", out], ["collect", "--interval", "fast", "--out", out],
                     ["collect", "--name", "nosuchlab", "--out", out], ["collect", "--duration", "-1s", "--out", out]] {
            let r = try run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("lvsbench: "), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }
}
