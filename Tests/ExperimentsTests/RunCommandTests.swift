import Foundation
import SystemKit
import TestSupport
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
        let prefix = TestPrefix.named("Eb")
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

    /// Values checked against each other by the commands' `validate()` get the library's
    /// line as it is, not ArgumentParser's usage text, and exit 2 before anything else.
    func testValuesThatDoNotFitTheOthersGetTheLibrarysLine() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lvsbench-fit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("results").path
        let cases: [([String], String)] = [
            (["run", "--repeat", "0"], "--repeat 0 is out of range: give 1 to 50"),
            (["run", "--name", "../x"], "--name '../x' is not usable in a directory name: use letters, digits, - _ ."),
            (["run", "--weights", "1,2", "--reals", "3"], "2 weights given for 3 reals: give one weight per real"),
            (["run", "--reals", "65"], "--reals 65 is out of range: give 1 to 64"),
            (["sweep", "--real-rate", "1KB/s", "--real-rps", "5"],
             "--real-rate and --real-rps both given: cap the reals one way, not both"),
            (["sweep", "--name", ".hidden"], "--name '.hidden' is not usable in a directory name: use letters, digits, - _ ."),
        ]
        let prefix = TestPrefix.named("Ef")
        for (argv, message) in cases {
            let r = try CLI.run(argv + ["--out", out], prefix: prefix, timeout: 60)
            XCTAssertEqual(r.status, 2, "\(argv): \(r.stderr)")
            XCTAssertEqual(r.stderr, "lvsbench: \(message)\n", "\(argv)")
            XCTAssertTrue(r.stdout.isEmpty, "\(argv): \(r.stdout)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: root.path), "\(argv) created \(root.path)")
        }
        XCTAssertEqual(try CLI.namespaces(prefix: prefix), [])
    }
}
