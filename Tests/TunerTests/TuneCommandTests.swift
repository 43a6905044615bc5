import TestSupport
import XCTest
import SystemKit

/// The `tune` commands through the built binary.
final class TuneCommandTests: XCTestCase {
    static var binary: String { BuiltBinary.lvsbench }

    static var profilesDirectory: String {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("profiles").path) { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("profiles").path
    }

    func lvsbench(_ args: [String], profiles: String? = nil) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["LVSBENCH_PROFILES"] = profiles ?? Self.profilesDirectory
        return try ProcessRunner.run([Self.binary] + args, timeout: 60, environment: env)
    }

    func testListAndShow() throws {
        let list = try lvsbench(["tune", "list"])
        XCTAssertEqual(list.status, 0, list.stderr)
        for name in ["default", "lvs-tutorial", "low-latency", "high-throughput", "conn-churn"] {
            XCTAssertTrue(list.stdout.contains(name), name)
        }
        let show = try lvsbench(["tune", "show", "lvs-tutorial"])
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.contains("ipvsadm --set 30 5 60"))
        let json = try lvsbench(["tune", "show", "conn-churn", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["chain"] as? [String], ["conn-churn", "default"])
    }

    func testBadProfilesExitTwoWithOneLine() throws {
        let dir = NSTemporaryDirectory() + "lvsbench-cli-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "name: bad\nclient:\n  sysctl: [\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try lvsbench(["tune", "show", "bad"], profiles: dir)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.hasPrefix("lvsbench: \(dir)/bad.yaml:"), bad.stderr)
        XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1)
        let missing = try lvsbench(["tune", "show", "nope"], profiles: dir)
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("profile 'nope' not found"), missing.stderr)
    }
}
