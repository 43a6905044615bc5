import Foundation
import SystemKit
import XCTest

/// Bad input to `lvsbench run` / `sweep`: one line, exit 2, nothing created. Runs as any
/// user: validation happens before the root check.
final class RunCommandTests: XCTestCase {
    func testBadInputIsOneLineExitTwoAndCreatesNothing() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lvsbench-bad-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("results").path
        let cases: [[String]] = [
            ["run", "--mode", "nat,bogus"],
            ["run", "--mode", ""],
            ["run", "--scheduler", "rr,,wrr"],
            ["run", "--duration", "0"],
            ["run", "--weights", "5,1"],
            ["run", "--load", "udp"],
            ["run", "--profile", "no-such-profile"],
            ["sweep", "--reals", "1,two"],
            ["sweep", "--real-rate", "1MB/s", "--real-rps", "100"],
        ]
        let prefix = "lvsEb"
        for argv in cases {
            let r = try CLI.run(argv + ["--out", out], prefix: prefix, timeout: 60)
            XCTAssertEqual(r.status, 2, "\(argv): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(argv): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("lvsbench: "), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: root.path), "\(argv) created \(root.path)")
        }
        for argv in [["run", "--out", "/dev/null/results"], ["sweep", "--out", "/proc/lvsbench-results"]] {
            let r = try CLI.run(argv, prefix: prefix, timeout: 60)
            XCTAssertEqual(r.status, 2, "\(argv): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("not writable"), r.stderr)
        }
        XCTAssertEqual(try CLI.namespaces(prefix: prefix), [])
    }
}
