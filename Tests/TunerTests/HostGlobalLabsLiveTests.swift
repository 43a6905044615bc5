import XCTest
import Lab
import SystemKit
@testable import Tuner

/// Two real labs change the same host-global sysctl: whichever goes down first, the host
/// ends byte-identical to before (root, UML directors; slow: boots three guests).
///
/// The key is kernel.printk_ratelimit_burst (outside net/, so host-wide from any lab
/// namespace): changing it only lets the kernel log a few more rate-limited messages, and
/// the test puts it back even when it fails.
final class HostGlobalLabsLiveTests: XCTestCase {
    static let key = "kernel.printk_ratelimit_burst"
    static let path = "/proc/sys/kernel/printk_ratelimit_burst"
    let base = "hg\(getpid() % 10_000)"
    var original = ""
    var labs: Set<String> = []
    var profiles = ""

    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        try XCTSkipUnless(ToolLocator.find("linux.uml") != nil, "needs user-mode-linux for an IPVS director")
        original = try String(contentsOfFile: Self.path, encoding: .utf8)
        let current = Int(original.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 10
        profiles = NSTemporaryDirectory() + "lvsbench-hostglobal-\(getpid())"
        try FileManager.default.createDirectory(atPath: profiles, withIntermediateDirectories: true)
        for (name, value) in [("burst-a", current + 1), ("burst-b", current + 2)] {
            try "client:\n  sysctl: {\(Self.key): \(value)}\n".write(toFile: profiles + "/\(name).yaml", atomically: true, encoding: .utf8)
        }
    }

    override func tearDownWithError() throws {
        for lab in labs { _ = try? LabEngine.down(name: lab) }
        if !profiles.isEmpty { try? FileManager.default.removeItem(atPath: profiles) }
        guard !original.isEmpty else { return }
        let now = try String(contentsOfFile: Self.path, encoding: .utf8)
        XCTAssertEqual(now, original, "the host's \(Self.key) changed")
        if now != original {
            _ = try? ProcessRunner.run(["sysctl", "-q", "-w", "\(Self.key)=\(original.trimmingCharacters(in: .whitespacesAndNewlines))"])
        }
    }

    func up(_ name: String) throws {
        labs.insert(name)
        _ = try LabEngine.up(LabSpec(name: name, mode: .nat, reals: 1, director: .uml))
    }

    func down(_ name: String) throws {
        let r = try ProcessRunner.run([TuneCommandTests.binary, "lab", "down", "--name", name], timeout: 120)
        XCTAssertEqual(r.status, 0, r.stderr)
        labs.remove(name)
    }

    func tune(_ lab: String, _ args: [String]) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["LVSBENCH_PROFILES"] = profiles
        return try ProcessRunner.run([TuneCommandTests.binary, "tune"] + args + ["--name", lab], timeout: 120, environment: env)
    }

    func host() throws -> String { try String(contentsOfFile: Self.path, encoding: .utf8) }

    func testTwoLabsOnOneHostGlobalKeyRestoreTheOriginalInEitherOrder() throws {
        let a = base + "a", b = base + "b", c = base + "c"
        try up(a)
        try up(b)
        let applied = try tune(a, ["apply", "burst-a", "--allow-global"])
        XCTAssertEqual(applied.status, 0, applied.stderr)
        let changed = try host()
        XCTAssertNotEqual(changed, original)

        // A different value for the key lab a holds: refused in one line, nothing changed.
        let refused = try tune(b, ["apply", "burst-b", "--allow-global"])
        XCTAssertEqual(refused.status, 2, refused.stdout)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("\(Self.key) is host-wide and lab \(LabEnvironment.labDirectory(a)) holds it"), refused.stderr)
        XCTAssertEqual(try host(), changed)

        // The same value: lab b shares it.
        let shared = try tune(b, ["apply", "burst-a", "--allow-global"])
        XCTAssertEqual(shared.status, 0, shared.stderr)

        // b down first: a still relies on the value.
        try down(b)
        XCTAssertEqual(try host(), changed, "lab b's down took lab a's value away")
        // c joins, then a goes down first: c still relies on it.
        try up(c)
        let joined = try tune(c, ["apply", "burst-a", "--allow-global"])
        XCTAssertEqual(joined.status, 0, joined.stderr)
        try down(a)
        XCTAssertEqual(try host(), changed, "lab a's down took lab c's value away")
        try down(c)
        XCTAssertEqual(try host(), original, "the last lab down restores the host's original, byte for byte")
        XCTAssertEqual(try HostGlobalSysctls.shared.holdings()[Self.key], nil)
    }
}
