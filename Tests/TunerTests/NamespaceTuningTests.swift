import XCTest
import Lab
import SystemKit
@testable import Tuner

/// The tuner on a real network namespace of this host (root). Host-wide keys are only read:
/// the host runner used here fails the test if anything tries to write through it.
final class NamespaceTuningTests: XCTestCase {
    var namespace: String!
    var node: NamespaceNode!
    var dir: String!

    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        let prefix = ProcessInfo.processInfo.environment["LVSBENCH_PREFIX"] ?? "lvsb"
        namespace = "\(prefix)-tunertest-\(getpid())"
        try ProcessRunner.check(["ip", "netns", "add", namespace])
        node = NamespaceNode(name: "client", role: .client, namespace: namespace)
        dir = NSTemporaryDirectory() + "lvsbench-tune-ns-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let namespace { try? ProcessRunner.run(["ip", "netns", "del", namespace]) }
        if let dir { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// Reads on the host; a write is a test failure and is not performed.
    let readOnlyHost: CommandRunner = { argv in
        if argv.first == "sysctl" || argv.first == "ipvsadm" {
            XCTFail("tried to change the host: \(argv)")
            return ProcessResult(status: 1, stdout: "", stderr: "refused by test")
        }
        return try ProcessRunner.run(argv, timeout: 30)
    }

    /// The host's and the node's net.* sysctls, without per-interface and counter entries
    /// (other work on the machine may add interfaces meanwhile).
    func snapshot(_ run: CommandRunner) throws -> [String] {
        try run(["sysctl", "-a", "--pattern", "^net\\."]).stdout.split(separator: "\n").map(String.init)
            .filter { !$0.contains(".conf.") && !$0.contains(".neigh.") && !$0.contains("_count") && !$0.contains("nf_log") }
    }

    func snapshotHost() throws -> [String] { try snapshot { try ProcessRunner.run($0, timeout: 30) } }
    func snapshotNode() throws -> [String] { try snapshot { try self.node.run($0, timeout: 30) } }
    var target: TuningTarget { TuningTarget(nodes: [node], labDirectory: dir) }

    func value(_ key: String) throws -> String {
        SysctlSetting.normalize(try node.readFile(SysctlKey.procPath(key)))
    }

    func testAppliesInsideTheNamespaceOnlyAndResets() throws {
        let hostBefore = try snapshotHost()
        let before = try ["net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_tw_reuse", "net.ipv4.ip_local_port_range"].map(value)
        let profile = try ProfileParser.parse("""
        client:
          sysctl:
            net.ipv4.tcp_fin_timeout: 17
            net.ipv4.tcp_tw_reuse: 1
            net.ipv4.ip_local_port_range: 2000 40000
        """, file: "t.yaml")
        let report = try Tuner.apply(profile, to: target, options: .init(), host: readOnlyHost)
        XCTAssertTrue(report.applied.allSatisfy { $0.place == .node })
        XCTAssertEqual(try value("net.ipv4.tcp_fin_timeout"), "17")
        XCTAssertEqual(try value("net.ipv4.ip_local_port_range"), "2000 40000")
        XCTAssertEqual(try snapshotHost(), hostBefore, "the host's sysctls changed")
        let rows = try Tuner.diff(target, host: readOnlyHost).rows
        XCTAssertEqual(rows.first { $0.key == "net.ipv4.tcp_fin_timeout" }?.now, "17")
        try Tuner.reset(target, host: readOnlyHost)
        XCTAssertEqual(try ["net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_tw_reuse", "net.ipv4.ip_local_port_range"].map(value), before)
    }

    func testUnknownKeyRefusedAndNothingChanged() throws {
        let before = try snapshotNode()
        let profile = try ProfileParser.parse("""
        client:
          sysctl: {net.ipv4.tcp_fin_timeout: 17, net.ipv4.no_such_key: 1, net.ipv4.tcp_tw_recycle: 1}
        """, file: "t.yaml")
        XCTAssertThrowsError(try Tuner.apply(profile, to: target, options: .init(), host: readOnlyHost)) { error in
            XCTAssertEqual(error as? TunerError, .missingKeys([.init(node: "client", key: "net.ipv4.no_such_key"),
                                                               .init(node: "client", key: "net.ipv4.tcp_tw_recycle")]))
        }
        XCTAssertEqual(try snapshotNode(), before)
    }

    func testHostWideKeysAreRefusedOnANamespaceNode() throws {
        let hostBefore = try snapshotHost()
        let profile = try ProfileParser.parse("""
        client:
          sysctl: {net.ipv4.tcp_fin_timeout: 17, net.core.netdev_max_backlog: 3000, vm.swappiness: 10}
        """, file: "t.yaml")
        XCTAssertThrowsError(try Tuner.apply(profile, to: target, options: .init(), host: readOnlyHost)) { error in
            XCTAssertEqual(error as? TunerError, .globalKeys(node: "client", keys: ["net.core.netdev_max_backlog", "vm.swappiness"]))
        }
        XCTAssertNotEqual(try value("net.ipv4.tcp_fin_timeout"), "17")
        XCTAssertEqual(try snapshotHost(), hostBefore)
    }

    func testKernelRejectionMidwayRollsBack() throws {
        let before = try snapshotNode()
        let profile = try ProfileParser.parse("""
        client:
          sysctl: {net.ipv4.tcp_fin_timeout: 17, net.ipv4.tcp_congestion_control: no_such_algorithm}
        """, file: "t.yaml")
        XCTAssertThrowsError(try Tuner.apply(profile, to: target, options: .init(), host: readOnlyHost)) { error in
            guard case let TunerError.applyFailed(step, _, rolledBack, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(step, "setting net.ipv4.tcp_congestion_control on client")
            XCTAssertTrue(rolledBack)
        }
        XCTAssertEqual(try snapshotNode(), before)
        XCTAssertNil(try SysctlUndoLog.load(labDirectory: dir))
    }
}
