import XCTest
import Lab
import SystemKit
@testable import Tuner

/// Two labs sharing one host kernel: the host-wide record of host-global sysctls, on a
/// recorded host and a record in a scratch directory (no root, nothing real changed).
final class HostGlobalSysctlsTests: XCTestCase {
    var host: RecordedNode!
    var dir: String!
    var labA: String!
    var labB: String!

    override func setUpWithError() throws {
        host = RecordedNode(name: "host", role: .router, bootID: "host-boot", listing: Recorded.host618)
        dir = NSTemporaryDirectory() + "lvsbench-globals-\(getpid())-\(UUID().uuidString)"
        labA = dir + "/run-a/labs/a"
        labB = dir + "/run-b/labs/b"
        for lab in [labA!, labB!] { try FileManager.default.createDirectory(atPath: lab, withIntermediateDirectories: true) }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    var record: HostGlobalSysctls { HostGlobalSysctls(directory: dir + "/host") }
    var hostRunner: CommandRunner { let h = host!; return { try h.run($0, timeout: nil) } }

    /// A lab with one namespace client node (the host's kernel: net.core.busy_poll is host-wide).
    func lab(_ directory: String) -> TuningTarget {
        let client = RecordedNode(name: "client", role: .client, bootID: "host-boot", listing: Recorded.childNamespace618)
        return TuningTarget(nodes: [client], labDirectory: directory, hostGlobals: record)
    }

    func busyPoll(_ value: Int) throws -> Profile {
        try ProfileParser.parse("client:\n  sysctl: {net.core.busy_poll: \(value)}\n", file: "p\(value).yaml")
    }

    let global = TuningOptions(allowGlobal: true)

    /// Before the record, B logged A's 50 as "found" and A's reset then left the host at 50.
    func testSecondLabSharesTheValueAndTheLastOneDownRestoresTheOriginalInEitherOrder() throws {
        for firstDown in [0, 1] {
            let labs = [lab(labA), lab(labB)]
            _ = try Tuner.apply(try busyPoll(50), to: labs[0], options: global, host: hostRunner)
            let second = try Tuner.apply(try busyPoll(50), to: labs[1], options: global, host: hostRunner)
            XCTAssertEqual(second.applied.map(\.found), ["0"], "the record knows the host's original, not lab a's value")
            XCTAssertEqual(try SysctlUndoLog.load(labDirectory: labB)?.entries.map(\.found), ["0"])
            XCTAssertEqual(host.value("net.core.busy_poll"), "50")
            XCTAssertEqual(try record.holdings()["net.core.busy_poll"]?.holders.count, 2)

            try Tuner.reset(labs[firstDown], host: hostRunner)
            XCTAssertEqual(host.value("net.core.busy_poll"), "50", "the other lab still relies on it")
            // The lab-down hook goes the same way.
            let failures = try SysctlUndoLog.restoreAndRemove(labDirectory: labs[1 - firstDown].labDirectory, nodes: labs[1 - firstDown].nodes,
                                                              host: hostRunner, hostGlobals: record)
            XCTAssertEqual(failures, [])
            XCTAssertEqual(host.value("net.core.busy_poll"), "0")
            XCTAssertEqual(try record.holdings(), [:])
            XCTAssertFalse(FileManager.default.fileExists(atPath: record.recordPath), "an empty record is removed")
        }
        XCTAssertEqual(host.writes, ["net.core.busy_poll=50", "net.core.busy_poll=0", "net.core.busy_poll=50", "net.core.busy_poll=0"])
    }

    func testADifferentValueForAHeldKeyIsRefusedNamingTheHolderAndChangesNothing() throws {
        _ = try Tuner.apply(try busyPoll(50), to: lab(labA), options: global, host: hostRunner)
        let b = lab(labB)
        XCTAssertThrowsError(try Tuner.apply(try busyPoll(20), to: b, options: global, host: hostRunner)) { error in
            let conflict = error as? HostGlobalSysctls.Conflict
            XCTAssertEqual(conflict?.holder, URL(fileURLWithPath: self.labA).standardizedFileURL.path)
            XCTAssertEqual(conflict?.exitStatus, .usage)
            XCTAssertFalse("\(error)".contains("\n"))
            XCTAssertTrue("\(error)".contains("net.core.busy_poll is host-wide and lab \(self.labA!) holds it at 50"), "\(error)")
        }
        XCTAssertEqual(host.writes, ["net.core.busy_poll=50"])
        XCTAssertNil(try SysctlUndoLog.load(labDirectory: labB))
        try Tuner.reset(lab(labA), host: hostRunner)
        XCTAssertEqual(host.value("net.core.busy_poll"), "0")
        // Free again: b may now set its own value.
        _ = try Tuner.apply(try busyPoll(20), to: b, options: global, host: hostRunner)
        XCTAssertEqual(host.value("net.core.busy_poll"), "20")
    }

    func testTheLockedRecordRefusesARaceThePlanDidNotSee() throws {
        try record.acquire(key: "net.core.busy_poll", value: "50", holder: labA, host: hostRunner)
        XCTAssertThrowsError(try record.acquire(key: "net.core.busy_poll", value: "20", holder: labB, host: hostRunner)) { error in
            XCTAssertTrue(error is HostGlobalSysctls.Conflict, "\(error)")
        }
        XCTAssertEqual(host.value("net.core.busy_poll"), "50")
        XCTAssertEqual(try record.release(key: "net.core.busy_poll", holder: labB, host: hostRunner), .notHeld)
        XCTAssertEqual(try record.release(key: "net.core.busy_poll", holder: labA, host: hostRunner), .restored)
        XCTAssertEqual(try record.release(key: "net.core.busy_poll", holder: labA, host: hostRunner), .notRecorded)
        XCTAssertEqual(host.value("net.core.busy_poll"), "0")
    }

    func testAHolderWhoseLabDirectoryIsGoneNoLongerCounts() throws {
        try record.acquire(key: "net.core.busy_poll", value: "50", holder: labA, host: hostRunner)
        try FileManager.default.removeItem(atPath: labA)
        // Any later access restores the original of a key nobody alive holds.
        try record.acquire(key: "net.core.somaxconn", value: "8192", holder: labB, host: hostRunner)
        XCTAssertEqual(host.value("net.core.busy_poll"), "0")
        XCTAssertEqual(Array(try record.holdings().keys), ["net.core.somaxconn"])
        try record.acquire(key: "net.core.busy_poll", value: "20", holder: labB, host: hostRunner)
        XCTAssertEqual(try record.release(key: "net.core.busy_poll", holder: labB, host: hostRunner), .restored)
        XCTAssertEqual(try record.release(key: "net.core.somaxconn", holder: labB, host: hostRunner), .restored)
        XCTAssertEqual(host.value("net.core.busy_poll"), "0")
        XCTAssertEqual(host.value("net.core.somaxconn"), "4096")
    }

    func testAFailedReleaseKeepsTheReferenceForAnotherTry() throws {
        let a = lab(labA)
        _ = try Tuner.apply(try busyPoll(50), to: a, options: global, host: hostRunner)
        host.rejects = ["net.core.busy_poll"]
        XCTAssertThrowsError(try Tuner.reset(a, host: hostRunner)) { error in
            XCTAssertTrue("\(error)".contains("for another `tune reset`"), "\(error)")
        }
        XCTAssertEqual(try record.holdings()["net.core.busy_poll"]?.holders.count, 1)
        XCTAssertEqual(try SysctlUndoLog.load(labDirectory: labA)?.entries.map(\.key), ["net.core.busy_poll"])
        host.rejects = []
        try Tuner.reset(a, host: hostRunner)
        XCTAssertEqual(host.value("net.core.busy_poll"), "0")
        XCTAssertEqual(try record.holdings(), [:])
        XCTAssertNil(try SysctlUndoLog.load(labDirectory: labA))
    }

    func testALogWithoutARecordRestoresItsOwnValue() throws {
        let log = SysctlUndoLog(origin: "old", entries: [.init(node: "client", kind: .sysctl, key: "net.core.busy_poll",
                                                               place: .host, found: "0", applied: "50")])
        try log.save(labDirectory: labA)
        _ = try host.run(["sysctl", "-q", "-w", "net.core.busy_poll=50"], timeout: nil)
        XCTAssertEqual(try SysctlUndoLog.restoreAndRemove(labDirectory: labA, nodes: [], host: hostRunner, hostGlobals: record), [])
        XCTAssertEqual(host.value("net.core.busy_poll"), "0")
    }

    func testAnUnreadableOrForeignRecordIsNamedAndNotOverwritten() throws {
        try FileManager.default.createDirectory(atPath: record.directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        for text in ["{not json", "{\"version\": 99, \"keys\": {}}"] {
            try text.write(toFile: record.recordPath, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try record.acquire(key: "net.core.busy_poll", value: "50", holder: labA, host: hostRunner)) { error in
                XCTAssertTrue("\(error)".contains(self.record.recordPath), "\(error)")
            }
            XCTAssertEqual(try String(contentsOfFile: record.recordPath, encoding: .utf8), text)
        }
        XCTAssertEqual(host.writes, [])
    }

    func testADirectoryOthersCanWriteIsRefused() throws {
        try FileManager.default.createDirectory(atPath: record.directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o777])
        chmod(record.directory, 0o777)
        XCTAssertThrowsError(try record.holdings()) { error in
            XCTAssertTrue("\(error)".contains("writable only by it"), "\(error)")
        }
    }
}

/// A restore that fails keeps its undo log, holding exactly what is left, for `tune reset`.
final class FailedRestoreTests: XCTestCase {
    var client: RecordedNode!
    var dir: String!

    override func setUpWithError() throws {
        client = RecordedNode(name: "client", role: .client, bootID: "host-boot", listing: Recorded.childNamespace618)
        dir = NSTemporaryDirectory() + "lvsbench-restore-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    var target: TuningTarget {
        TuningTarget(nodes: [client], labDirectory: dir, hostGlobals: HostGlobalSysctls(directory: dir + "/host-record"))
    }
    let host: CommandRunner = { argv in ProcessResult(status: 1, stdout: "", stderr: "no host in this test: \(argv)") }

    func testResetThatFailsKeepsTheUnrestoredEntriesAndASecondResetFinishes() throws {
        let profile = try ProfileParser.parse("client:\n  sysctl: {net.ipv4.tcp_tw_reuse: 1, net.ipv4.tcp_fin_timeout: 17}\n", file: "t.yaml")
        _ = try Tuner.apply(profile, to: target, options: .init(), host: host)
        client.rejects = ["net.ipv4.tcp_tw_reuse"]
        XCTAssertThrowsError(try Tuner.reset(target, host: host)) { error in
            XCTAssertTrue("\(error)".contains("net.ipv4.tcp_tw_reuse on client (to 2)"), "\(error)")
            XCTAssertTrue("\(error)".contains(SysctlUndoLog.path(labDirectory: self.dir)), "\(error)")
        }
        XCTAssertEqual(client.value("net.ipv4.tcp_fin_timeout"), "60", "what could be restored was")
        let kept = try XCTUnwrap(try SysctlUndoLog.load(labDirectory: dir))
        XCTAssertEqual(kept.entries.map(\.key), ["net.ipv4.tcp_tw_reuse"], "only what is left, so nothing is restored twice")
        XCTAssertEqual(kept.origin, "t")

        // The lab-down hook keeps it too.
        XCTAssertEqual(try SysctlUndoLog.restoreAndRemove(labDirectory: dir, nodes: [client], host: host,
                                                          hostGlobals: target.hostGlobals).count, 1)
        XCTAssertNotNil(try SysctlUndoLog.load(labDirectory: dir))

        client.rejects = []
        XCTAssertEqual(try Tuner.reset(target, host: host).map(\.key), ["net.ipv4.tcp_tw_reuse"])
        XCTAssertEqual(client.value("net.ipv4.tcp_tw_reuse"), "2")
        XCTAssertNil(try SysctlUndoLog.load(labDirectory: dir))
    }

    func testARollbackThatFailsKeepsOnlyWhatItCouldNotRestore() throws {
        let gone = RecordedNode(name: "real1", role: .real, bootID: "host-boot", listing: Recorded.childNamespace618)
        gone.rejects = ["net.ipv4.tcp_fin_timeout"]
        let lab = TuningTarget(nodes: [client, gone], labDirectory: dir, hostGlobals: target.hostGlobals)
        let profile = try ProfileParser.parse("""
        reals:
          sysctl: {net.ipv4.tcp_tw_reuse: 1, net.ipv4.tcp_fin_timeout: 17}
        client:
          sysctl: {net.ipv4.tcp_tw_reuse: 0}
        """, file: "t.yaml")
        // real1 takes its first write, then refuses everything: the apply fails and so does
        // the rollback of real1's tcp_tw_reuse.
        let real1 = gone
        XCTAssertThrowsError(try Tuner.apply(profile, to: lab, options: .init(), host: host, interrupted: {
            if real1.writes.count == 1 { real1.rejects = ["net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_fin_timeout"] }
            return false
        })) { error in
            guard case let TunerError.applyFailed(step, _, rolledBack, failures) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(step, "setting net.ipv4.tcp_fin_timeout on real1")
            XCTAssertFalse(rolledBack)
            XCTAssertEqual(failures.count, 1)
        }
        XCTAssertEqual(try SysctlUndoLog.load(labDirectory: dir)?.entries.map(\.key), ["net.ipv4.tcp_tw_reuse"])
        XCTAssertEqual(try SysctlUndoLog.load(labDirectory: dir)?.entries.map(\.node), ["real1"])
        XCTAssertEqual(client.writes, [], "never reached")
        gone.rejects = []
        try Tuner.reset(lab, host: host)
        XCTAssertEqual(gone.value("net.ipv4.tcp_tw_reuse"), "2")
    }
}
