import Foundation
@testable import SystemKit
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

    /// `umid=hc-a` is lab `a`'s guest; the guest of lab `ab` (`umid=hc-ab`) must not match.
    func testMarkerMatchesWholeArgumentsOnly() {
        let uml = "linux.uml mem=512M umid=hc-ab uml_dir=/run/x/labs/ab/uml"
        XCTAssertFalse(DetachedProcess.commandLine(uml, matches: "umid=hc-a"))
        XCTAssertTrue(DetachedProcess.commandLine(uml, matches: "umid=hc-ab"))
        let responder = "lvsbench lab responder --name real1 --lab /run/x/labs/a/real10"
        XCTAssertFalse(DetachedProcess.commandLine(responder, matches: "--lab /run/x/labs/a/real1"))
        XCTAssertTrue(DetachedProcess.commandLine(responder, matches: "--lab /run/x/labs/a/real10"))
        XCTAssertTrue(DetachedProcess.commandLine("nginx: master process nginx -c /d/nginx.conf", matches: "/d/nginx.conf"))
        XCTAssertFalse(DetachedProcess.commandLine(uml, matches: ""))
        XCTAssertFalse(DetachedProcess.commandLine(uml, matches: " "))
    }

    /// A real process whose argv holds `umid=<tag>b` is not stopped for marker `umid=<tag>`;
    /// with its exact marker it is.
    func testStopWithAPrefixOfTheUMIDLeavesTheProcess() throws {
        let tag = "hc-t\(getpid())x\(UInt32.random(in: 0...UInt32.max))"
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(tag).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let pid = try DetachedProcess.spawn(["sh", "-c", "while :; do sleep 0.05; done", "umid=\(tag)b"], log: log)
        defer { kill(-pid, SIGKILL); _ = DetachedProcess.isAlive(pid) }
        XCTAssertFalse(DetachedProcess.stop(pid, marker: "umid=\(tag)", group: true, wait: 0.3))
        XCTAssertTrue(DetachedProcess.isAlive(pid))
        XCTAssertTrue(DetachedProcess.stop(pid, marker: "umid=\(tag)b", group: true))
        XCTAssertFalse(DetachedProcess.isAlive(pid))
    }

    /// The defect: with the leader dead, every member of its group was killed unchecked. A
    /// member whose command line is not the lab's (here a `sleep` orphaned by its leader) is
    /// left alone, and `stop` says something is left.
    func testDeadLeaderGroupMemberThatIsNotOursIsLeftAlone() throws {
        let marker = "lvsbench-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let duration = "3000.\(UInt16.random(in: 1...UInt16.max))"
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(marker).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let leader = try DetachedProcess.spawn(["sh", "-c", "sleep \(duration) & wait # \(marker)"], log: log)
        let member = try XCTUnwrap(waitForProcess { $0 != leader && DetachedProcess.commandLine(of: $0) == "sleep \(duration) " })
        defer { kill(member, SIGKILL) }
        kill(leader, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while DetachedProcess.isAlive(leader) && Date() < deadline { usleep(10_000) }
        XCTAssertFalse(DetachedProcess.isAlive(leader))
        XCTAssertEqual(DetachedProcess.groupMembers(leader).filter(DetachedProcess.isAlive), [member])

        XCTAssertFalse(DetachedProcess.stop(leader, marker: marker, group: true, wait: 0.3))
        XCTAssertTrue(DetachedProcess.isAlive(member), "a member that is not ours was killed")
    }

    /// With the leader alive, its children are ours even when they retitle themselves (nginx's
    /// workers read "nginx: worker process"): they descend from the marked leader.
    func testLiveLeaderTakesItsRetitledChildrenAlong() throws {
        let marker = "lvsbench-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let duration = "3000.\(UInt16.random(in: 1...UInt16.max))"
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(marker).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let leader = try DetachedProcess.spawn(["sh", "-c", "sleep \(duration) & wait # \(marker)"], log: log)
        let child = try XCTUnwrap(waitForProcess { $0 != leader && DetachedProcess.commandLine(of: $0) == "sleep \(duration) " })
        defer { kill(child, SIGKILL); kill(leader, SIGKILL) }
        XCTAssertTrue(DetachedProcess.stop(leader, marker: marker, group: true))
        XCTAssertFalse(DetachedProcess.isAlive(leader))
        XCTAssertFalse(DetachedProcess.isAlive(child))
    }

    /// The first pid in /proc for which `test` holds, polling up to 5 s.
    private func waitForProcess(_ test: (Int32) -> Bool) -> Int32? {
        let deadline = Date().addingTimeInterval(5)
        repeat {
            let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init)
            if let pid = pids.first(where: test) { return pid }
            usleep(20_000)
        } while Date() < deadline
        return nil
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
