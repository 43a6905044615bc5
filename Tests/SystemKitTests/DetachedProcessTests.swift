import Foundation
import SystemKit
import XCTest

final class DetachedProcessTests: XCTestCase {
    /// A forked member of the group (same command line, like user-mode Linux's helpers) must
    /// be ended even when the group's leader is already gone.
    func testStopEndsGroupMembersThatOutliveTheLeader() throws {
        let marker = "lvsbench-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(marker).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let script = "(while :; do sleep 0.05; done) & while :; do sleep 0.05; done # \(marker)"
        let leader = try DetachedProcess.spawn(["sh", "-c", script], log: log)
        defer { _ = DetachedProcess.stop(leader, marker: marker, group: true) }
        var member: Int32?
        let deadline = Date().addingTimeInterval(5)
        while member == nil && Date() < deadline {
            member = forkedMember(of: leader, marker: marker)
            if member == nil { usleep(20_000) }
        }
        let child = try XCTUnwrap(member, "the subshell did not start")
        kill(leader, SIGKILL)
        while DetachedProcess.isAlive(leader) && Date() < deadline { usleep(10_000) }
        XCTAssertTrue(DetachedProcess.isAlive(child), "the member must outlive its leader for this test")

        XCTAssertTrue(DetachedProcess.stop(leader, marker: marker, group: true))
        XCTAssertFalse(DetachedProcess.isAlive(child))
    }

    func testStopLeavesAProcessWhoseCommandLineDoesNotMatch() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("dp-\(getpid()).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let pid = try DetachedProcess.spawn(["sleep", "30"], log: log)
        defer { kill(-pid, SIGKILL); _ = DetachedProcess.isAlive(pid) }
        XCTAssertFalse(DetachedProcess.stop(pid, marker: "not-this-one", group: true, wait: 0.2))
        XCTAssertTrue(DetachedProcess.isAlive(pid))
    }

    private func forkedMember(of leader: Int32, marker: String) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).first { p in
            guard p != leader, DetachedProcess.commandLine(of: p)?.contains(marker) == true,
                  let stat = try? String(contentsOfFile: "/proc/\(p)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[2]) == leader
        }
    }
}
