import XCTest
import Lab
import SystemKit
@testable import Tuner

/// The tuner on a real lab with a user-mode Linux director (slow: boots a guest).
final class LiveLabTuningTests: XCTestCase {
    var lab: RunningLab?
    var labName = "tt\(getpid() % 100_000)"
    var hostBefore: [String] = []

    /// The host's net.* sysctls, without per-interface and counter entries (other work on
    /// the machine adds interfaces meanwhile).
    static func hostSysctls() throws -> [String] {
        try ProcessRunner.check(["sysctl", "-a", "--pattern", "^net\\."]).stdout.split(separator: "\n").map(String.init)
            .filter { !$0.contains(".conf.") && !$0.contains(".neigh.") && !$0.contains("_count") && !$0.contains("nf_log") }
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        try XCTSkipUnless(ToolLocator.find("linux.uml") != nil, "needs user-mode-linux for an IPVS director")
        hostBefore = try Self.hostSysctls()
        lab = try LabEngine.up(LabSpec(name: labName, mode: .nat, reals: 2, director: .uml))
    }

    override func tearDownWithError() throws {
        if lab != nil { try LabEngine.down(name: labName) }
        guard !hostBefore.isEmpty else { return }
        XCTAssertFalse(FileManager.default.fileExists(atPath: LabEnvironment.labDirectory(labName)))
        XCTAssertEqual(try Self.hostSysctls(), hostBefore, "lab down left the host's sysctls changed")
    }

    func tune(_ args: [String]) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["LVSBENCH_PROFILES"] = TuneCommandTests.profilesDirectory
        return try ProcessRunner.run([TuneCommandTests.binary, "tune"] + args + ["--name", labName], timeout: 120, environment: env)
    }

    func testLVSTutorialOnTheUMLDirector() throws {
        let director = try XCTUnwrap(lab).director
        let refused = try tune(["apply", "lvs-tutorial"])
        XCTAssertEqual(refused.status, 2, refused.stdout)
        XCTAssertTrue(refused.stderr.contains("net.ipv4.tcp_tw_recycle"), refused.stderr)
        XCTAssertTrue(try director.check(["ipvsadm", "-L", "--timeout"]).stdout.contains("900 120 300"))

        let applied = try tune(["apply", "lvs-tutorial", "--skip-missing", "--json"])
        XCTAssertEqual(applied.status, 0, applied.stderr)
        let report = try JSONCoding.decode(ApplyReport.self, from: Data(applied.stdout.utf8))
        XCTAssertEqual(Set(report.skippedMissing.map(\.key)), ["net.ipv4.tcp_tw_recycle"])
        XCTAssertEqual(Set(report.skippedMissing.map(\.node)), ["director", "client"])
        XCTAssertTrue(try director.check(["ipvsadm", "-L", "--timeout"]).stdout.contains("Timeout (tcp tcpfin udp): 30 5 60"))
        XCTAssertEqual(try director.readFile("/proc/sys/net/ipv4/tcp_fin_timeout").trimmingCharacters(in: .whitespacesAndNewlines), "30")
        XCTAssertEqual(try director.readFile("/proc/sys/net/core/netdev_max_backlog").trimmingCharacters(in: .whitespacesAndNewlines), "3000")

        let diff = try tune(["diff", "--json"])
        XCTAssertEqual(diff.status, 0, diff.stderr)
        XCTAssertTrue(diff.stdout.contains("\"now\" : \"30 5 60\""), diff.stdout)

        let reset = try tune(["reset"])
        XCTAssertEqual(reset.status, 0, reset.stderr)
        XCTAssertTrue(try director.check(["ipvsadm", "-L", "--timeout"]).stdout.contains("900 120 300"))
        XCTAssertEqual(try director.readFile("/proc/sys/net/ipv4/tcp_fin_timeout").trimmingCharacters(in: .whitespacesAndNewlines), "60")
    }

    func testUnknownKeyIsRefusedAndChangesNothing() throws {
        let lab = try XCTUnwrap(lab)
        let nodes: [any LabNode] = [lab.director, lab.client] + lab.reals
        func snapshot() throws -> [String] {
            try nodes.map { try $0.check(["sysctl", "-a", "--pattern", "^net\\.(core|ipv4)\\."]).stdout }
                + [try lab.director.check(["ipvsadm", "-L", "--timeout"]).stdout]
        }
        let before = try snapshot()
        let dir = NSTemporaryDirectory() + "lvsbench-live-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        name: typo
        director:
          sysctl: {net.ipv4.tcp_fin_timeout: 20}
          ipvs: {timeouts: {tcp: 40, tcpfin: 4, udp: 40}}
        client:
          sysctl: {net.ipv4.tcp_fin_timeout: 20, net.ipv4.tcp_fin_timout: 20}
        """.write(toFile: dir + "/typo.yaml", atomically: true, encoding: .utf8)
        let result = try tune(["apply", dir + "/typo.yaml"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("net.ipv4.tcp_fin_timout (client)"), result.stderr)
        XCTAssertEqual(try snapshot(), before)
        XCTAssertNil(try SysctlUndoLog.load(labDirectory: lab.state.labDirectory))
    }

    func testLabDownRestoresWhatTheTuningRecorded() throws {
        let running = try XCTUnwrap(lab)
        let namespace = try XCTUnwrap(running.client as? NamespaceNode).namespace
        let result = try tune(["apply", "conn-churn"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertNotNil(try SysctlUndoLog.load(labDirectory: running.state.labDirectory))
        XCTAssertEqual(try running.client.readFile("/proc/sys/net/ipv4/tcp_fin_timeout").trimmingCharacters(in: .whitespacesAndNewlines), "15")
        // A process of ours keeps the client's namespace alive after lab down deletes its
        // name, so the value lab down left there can still be read.
        let keeper = Process()
        keeper.executableURL = URL(fileURLWithPath: try ToolLocator.require("ip"))
        keeper.arguments = ["netns", "exec", namespace, "sleep", "120"]
        try keeper.run()
        defer { kill(keeper.processIdentifier, SIGKILL); keeper.waitUntilExit() }
        usleep(200_000)
        try LabEngine.down(name: labName)
        lab = nil
        let after = try ProcessRunner.check(["nsenter", "-t", "\(keeper.processIdentifier)", "-n",
                                             "cat", "/proc/sys/net/ipv4/tcp_fin_timeout"]).stdout
        XCTAssertEqual(after.trimmingCharacters(in: .whitespacesAndNewlines), "60", "lab down did not restore the client")
    }
}
