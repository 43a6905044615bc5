import Vocabulary
import XCTest
import Lab
@testable import Tuner

/// Planning, apply, rollback, reset and diff on recorded nodes (no root, nothing real changed).
final class TunerApplyTests: XCTestCase {
    var host: RecordedNode!
    var client: RecordedNode!
    var director: RecordedNode!
    var dir: String!

    override func setUpWithError() throws {
        host = RecordedNode(name: "host", role: .router, bootID: "host-boot", listing: Recorded.host618)
        client = RecordedNode(name: "client", role: .client, bootID: "host-boot", listing: Recorded.childNamespace618)
        // A user-mode Linux director: its own kernel (boot id), so even host-wide keys are its own.
        director = RecordedNode(name: "director", role: .director, bootID: "guest-boot",
                                listing: Recorded.host618, timeouts: "900 120 300")
        dir = NSTemporaryDirectory() + "lvsbench-tune-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A host-wide record of its own: the tests must never touch the host's.
    var globals: HostGlobalSysctls { HostGlobalSysctls(directory: dir + "/host-record") }
    var target: TuningTarget { TuningTarget(nodes: [director, client], labDirectory: dir, hostGlobals: globals) }
    var hostRunner: CommandRunner { let h = host!; return { try h.run($0, timeout: nil) } }

    func profile(_ yaml: String) throws -> Profile { try ProfileParser.parse(yaml, file: "t.yaml") }

    func testAppliesInOrderRecordsAndResets() throws {
        let p = try profile("""
        director:
          sysctl: {net.core.netdev_max_backlog: 3000, net.ipv4.tcp_fin_timeout: 30}
          ipvs: {timeouts: {tcp: 30, tcpfin: 5}}
        client:
          sysctl: {net.ipv4.tcp_tw_reuse: 1, net.ipv4.tcp_fin_timeout: 60}
        """)
        let report = try Tuner.apply(p, to: target, options: .init(), host: hostRunner)
        XCTAssertEqual(report.applied.map(\.key), ["net.core.netdev_max_backlog", "net.ipv4.tcp_fin_timeout", "ipvs.timeouts", "net.ipv4.tcp_tw_reuse"])
        XCTAssertEqual(report.unchanged.map(\.key), ["net.ipv4.tcp_fin_timeout"])
        XCTAssertEqual(director.ipvsTimeouts, "30 5 300")
        XCTAssertEqual(director.value("net.core.netdev_max_backlog"), "3000")
        XCTAssertEqual(client.value("net.ipv4.tcp_tw_reuse"), "1")
        XCTAssertEqual(host.writes, [], "nothing may be written on the host")
        let diff = try Tuner.diff(target, host: hostRunner)
        XCTAssertEqual(diff.rows.first { $0.key == "ipvs.timeouts" }?.now, "30 5 300")
        XCTAssertEqual(diff.rows.first { $0.key == "net.ipv4.tcp_tw_reuse" }?.found, "2")

        let restored = try Tuner.reset(target, host: hostRunner)
        XCTAssertEqual(restored.count, 4)
        XCTAssertEqual(director.ipvsTimeouts, "900 120 300")
        XCTAssertEqual(director.value("net.ipv4.tcp_fin_timeout"), "60")
        XCTAssertEqual(client.value("net.ipv4.tcp_tw_reuse"), "2")
        XCTAssertNil(try SysctlUndoLog.load(labDirectory: dir))
    }

    func testIPVSSettingsAreRefusedOnADirectorBalancedByAnotherBalancer() throws {
        let p = try profile("""
        director:
          sysctl: {net.core.netdev_max_backlog: 3000}
          ipvs: {timeouts: {tcp: 30, tcpfin: 5}}
        """)
        var nft = target
        nft.balancer = .nftables
        let backlog = director.value("net.core.netdev_max_backlog")
        XCTAssertThrowsError(try Tuner.apply(p, to: nft, options: .init(), host: hostRunner)) { error in
            XCTAssertTrue("\(error)".contains("which only IPVS has"), "\(error)")
        }
        XCTAssertEqual(director.ipvsTimeouts, "900 120 300", "nothing changed")
        XCTAssertEqual(director.value("net.core.netdev_max_backlog"), backlog)
        XCTAssertNil(try SysctlUndoLog.load(labDirectory: dir))
        let plain = try profile("director:\n  sysctl: {net.core.netdev_max_backlog: 3000}\n")
        XCTAssertNil(Tuner.balancerRefusal(plain, balancer: .nftables))
        XCTAssertNotNil(Tuner.balancerRefusal(p, balancer: .haproxy))
        XCTAssertNil(Tuner.balancerRefusal(p, balancer: .ipvs))
    }

    func testMissingKeyRefusedByNameUnlessSkipped() throws {
        let p = try profile("client:\n  sysctl: {net.ipv4.tcp_tw_reuse: 1, net.ipv4.tcp_tw_recycle: 1}\n")
        XCTAssertThrowsError(try Tuner.apply(p, to: target, options: .init(), host: hostRunner)) { error in
            XCTAssertEqual(error as? TunerError, .missingKeys([.init(node: "client", key: "net.ipv4.tcp_tw_recycle")]))
            XCTAssertTrue("\(error)".contains("net.ipv4.tcp_tw_recycle (client)"))
        }
        XCTAssertEqual(client.writes, [])
        let report = try Tuner.apply(p, to: target, options: .init(skipMissing: true), host: hostRunner)
        XCTAssertEqual(report.skippedMissing, [.init(node: "client", key: "net.ipv4.tcp_tw_recycle")])
        XCTAssertEqual(client.value("net.ipv4.tcp_tw_reuse"), "1")
    }

    func testBadValueRefusedBeforeAnyChange() throws {
        let p = try profile("director:\n  sysctl: {net.ipv4.tcp_fin_timeout: 30}\nclient:\n  sysctl: {net.ipv4.tcp_rmem: 4096}\n")
        XCTAssertThrowsError(try Tuner.apply(p, to: target, options: .init(), host: hostRunner)) { error in
            guard case let TunerError.badValue(node, key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual([node, key], ["client", "net.ipv4.tcp_rmem"])
        }
        XCTAssertEqual(director.writes + client.writes, [])
    }

    func testHostWideKeyOnNamespaceNodeNeedsAllowGlobal() throws {
        let p = try profile("client:\n  sysctl: {net.ipv4.tcp_tw_reuse: 1, net.core.netdev_max_backlog: 3000, net.core.rmem_max: 8388608}\n")
        XCTAssertThrowsError(try Tuner.apply(p, to: target, options: .init(), host: hostRunner)) { error in
            XCTAssertEqual(error as? TunerError, .globalKeys(node: "client", keys: ["net.core.netdev_max_backlog", "net.core.rmem_max"]))
        }
        XCTAssertEqual(client.writes + host.writes, [])
        // Allowed: written in the (recorded) host's initial namespace, restored there on reset.
        let report = try Tuner.apply(p, to: target, options: .init(allowGlobal: true), host: hostRunner)
        XCTAssertEqual(report.applied.filter { $0.place == .host }.map(\.key), ["net.core.netdev_max_backlog", "net.core.rmem_max"])
        XCTAssertEqual(host.value("net.core.netdev_max_backlog"), "3000")
        XCTAssertEqual(client.writes, ["net.ipv4.tcp_tw_reuse=1"])
        try Tuner.apply(try profile("name: default\n"), to: target, options: .init(), host: hostRunner)
        XCTAssertEqual(client.value("net.ipv4.tcp_tw_reuse"), "2", "a new apply first restores the previous one")
        XCTAssertEqual(host.value("net.core.netdev_max_backlog"), "1000", "host entries are restored through the given host")
    }

    func testFailureMidwayRollsBackEverythingApplied() throws {
        client.rejects = ["net.ipv4.ip_local_port_range"]
        let p = try profile("""
        director:
          sysctl: {net.ipv4.tcp_fin_timeout: 30}
          ipvs: {timeouts: {tcp: 30, tcpfin: 5, udp: 60}}
        client:
          sysctl: {net.ipv4.tcp_tw_reuse: 1, net.ipv4.ip_local_port_range: 1024 65535, net.ipv4.tcp_fin_timeout: 10}
        """)
        XCTAssertThrowsError(try Tuner.apply(p, to: target, options: .init(), host: hostRunner)) { error in
            guard case let TunerError.applyFailed(step, _, rolledBack, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(step, "setting net.ipv4.ip_local_port_range on client")
            XCTAssertTrue(rolledBack)
        }
        XCTAssertEqual(director.value("net.ipv4.tcp_fin_timeout"), "60")
        XCTAssertEqual(director.ipvsTimeouts, "900 120 300")
        XCTAssertEqual(client.value("net.ipv4.tcp_tw_reuse"), "2")
        XCTAssertEqual(client.value("net.ipv4.tcp_fin_timeout"), "60", "never reached")
        XCTAssertNil(try SysctlUndoLog.load(labDirectory: dir))
    }

    func testInterruptRollsBack() throws {
        let p = try profile("client:\n  sysctl: {net.ipv4.tcp_tw_reuse: 1, net.ipv4.tcp_fin_timeout: 10}\n")
        let c = client!
        XCTAssertThrowsError(try Tuner.apply(p, to: target, options: .init(), host: hostRunner,
                                             interrupted: { !c.writes.isEmpty })) { error in
            XCTAssertEqual(error as? TunerError, .interrupted(rolledBack: true))
        }
        XCTAssertEqual(client.value("net.ipv4.tcp_tw_reuse"), "2")
        XCTAssertEqual(client.value("net.ipv4.tcp_fin_timeout"), "60")
    }

    func testLabDownHookRestoresFromTheRecordAlone() throws {
        let p = try profile("client:\n  sysctl: {net.ipv4.tcp_tw_reuse: 0}\n")
        try Tuner.apply(p, to: target, options: .init(), host: hostRunner)
        XCTAssertEqual(client.value("net.ipv4.tcp_tw_reuse"), "0")
        let failures = try SysctlUndoLog.restoreAndRemove(labDirectory: dir, nodes: [client], host: hostRunner, hostGlobals: globals)
        XCTAssertEqual(failures, [])
        XCTAssertEqual(client.value("net.ipv4.tcp_tw_reuse"), "2")
        XCTAssertFalse(FileManager.default.fileExists(atPath: SysctlUndoLog.path(labDirectory: dir)))
    }

    func testLVSTutorialOnAGuestDirector() throws {
        let guest = RecordedNode(name: "director", role: .director, bootID: "guest-boot",
                                 listing: Recorded.guest61, timeouts: "900 120 300")
        let lab = TuningTarget(nodes: [guest], labDirectory: dir, hostGlobals: globals)
        let tutorial = try ProfileLibraryTests.shipped.resolve("lvs-tutorial")
        XCTAssertThrowsError(try Tuner.apply(tutorial, to: lab, options: .init(), host: hostRunner)) { error in
            XCTAssertEqual(error as? TunerError, .missingKeys([.init(node: "director", key: "net.ipv4.tcp_tw_recycle")]))
        }
        XCTAssertEqual(guest.writes, [])
        let report = try Tuner.apply(tutorial, to: lab, options: .init(skipMissing: true), host: hostRunner)
        XCTAssertEqual(report.skippedMissing.map(\.key), ["net.ipv4.tcp_tw_recycle"])
        XCTAssertEqual(report.rolesWithoutNodes, ["reals", "client"])
        XCTAssertEqual(guest.ipvsTimeouts, "30 5 60")
        XCTAssertEqual(guest.value("net.ipv4.tcp_fin_timeout"), "30")
        XCTAssertEqual(guest.value("net.core.rmem_max"), "16777216", "the guest's own kernel: no --allow-global needed")
        XCTAssertEqual(host.writes, [])
    }

    func testHostWideKeyOnTwoNodesIsWrittenOnceOrRefusedWhenTheyDisagree() throws {
        let other = RecordedNode(name: "real1", role: .real, bootID: "host-boot", listing: Recorded.childNamespace618)
        let lab = TuningTarget(nodes: [client, other], labDirectory: dir, hostGlobals: globals)
        let same = try profile("reals:\n  sysctl: {net.core.busy_poll: 50}\nclient:\n  sysctl: {net.core.busy_poll: 50}\n")
        let report = try Tuner.apply(same, to: lab, options: .init(allowGlobal: true), host: hostRunner)
        XCTAssertEqual(report.applied.map(\.node), ["real1"])
        XCTAssertEqual(host.writes, ["net.core.busy_poll=50"])
        try Tuner.reset(lab, host: hostRunner)
        XCTAssertEqual(host.value("net.core.busy_poll"), "0")
        let differ = try profile("reals:\n  sysctl: {net.core.busy_poll: 50}\nclient:\n  sysctl: {net.core.busy_poll: 20}\n")
        XCTAssertThrowsError(try Tuner.apply(differ, to: lab, options: .init(allowGlobal: true), host: hostRunner)) { error in
            guard case let TunerError.badValue(node, key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual([node, key], ["client", "net.core.busy_poll"])
        }
        XCTAssertEqual(host.writes.count, 2, "only the earlier apply and its reset")
    }

    func testARefusedProfileLeavesThePreviousTuningInPlace() throws {
        try Tuner.apply(try profile("client:\n  sysctl: {net.ipv4.tcp_tw_reuse: 0}\n"), to: target, options: .init(), host: hostRunner)
        let refused = try profile("client:\n  sysctl: {net.ipv4.tcp_fin_timeout: 20, net.ipv4.no_such_key: 1}\n")
        XCTAssertThrowsError(try Tuner.apply(refused, to: target, options: .init(), host: hostRunner))
        XCTAssertEqual(client.value("net.ipv4.tcp_tw_reuse"), "0")
        XCTAssertEqual(try SysctlUndoLog.load(labDirectory: dir)?.entries.map(\.key), ["net.ipv4.tcp_tw_reuse"])
    }
}
