import Foundation
import Lab
import SystemKit
import TestSupport
import Vocabulary
import XCTest

/// A director's guest crashed from the host (`RunningLab.crashGuest`): it is gone at once with
/// every process of its group, its record leaves the state, the other director runs on, and
/// `lab down` afterwards leaves nothing. Under a prefix and run directory of its own.
final class GuestCrashTests: XCTestCase {
    static let prefix = TestPrefix.named("Gc")
    static let runDirectory = LabEnvironment.runDirectory + "-" + prefix
    var env: [String: String] {
        ["LVSBENCH_PREFIX": Self.prefix, "LVSBENCH_RUN_DIR": Self.runDirectory, "LVSBENCH_EXE": LabCLI.binary]
    }

    /// The environment as it was before the test pointed the lab store at its own run directory.
    var saved: [String: String?] = [:]

    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        try XCTSkipUnless(ToolLocator.find("linux.uml") != nil, "needs user-mode-linux (the host kernel has no IPVS)")
        // crashGuest reads and writes the lab's state in this process, through LabStore.
        for key in ["LVSBENCH_PREFIX", "LVSBENCH_RUN_DIR"] {
            saved[key] = ProcessInfo.processInfo.environment[key]
            setenv(key, env[key]!, 1)
        }
    }

    override func tearDownWithError() throws {
        defer {
            for (key, value) in saved {
                if let value { setenv(key, value, 1) } else { unsetenv(key) }
            }
        }
        guard Privileges.isRoot else { return }
        _ = try? LabCLI.run(["lab", "down", "--all", "--force"], env: env)
        XCTAssertEqual(LabTests.leftovers(prefix: Self.prefix, runDirectory: Self.runDirectory), [])
        try? FileManager.default.removeItem(atPath: Self.runDirectory)
    }

    func testCrashedDirectorIsGoneAndLabDownStillRemovesEverything() throws {
        let name = "crash"
        let up = try LabCLI.run(["lab", "up", "--name", name, "--mode", "dr", "--reals", "1", "--director", "uml",
                                 "--directors", "2"], env: env)
        guard up.status == 0 else { return XCTFail("lab up --directors 2 exited \(up.status): \(up.stderr)") }
        let path = Self.runDirectory + "/labs/\(name)/state.json"
        let lab = RunningLab(state: try JSONCoding.decode(LabState.self, from: Data(contentsOf: URL(fileURLWithPath: path))))
        let guest = try XCTUnwrap(lab.state.processes.first { $0.label == RunningLab.guestLabel("director") })
        let standby = try XCTUnwrap(lab.standby)

        let pid = try lab.crashGuest("director")
        XCTAssertEqual(pid, guest.pid)
        XCTAssertFalse(DetachedProcess.isAlive(pid), "the guest still runs")
        XCTAssertEqual(Self.groupMembers(pid).filter(DetachedProcess.isAlive), [], "a helper of the guest still runs")
        let after = try JSONCoding.decode(LabState.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertNil(after.processes.first { $0.label == guest.label }, "the crashed guest is still recorded")
        XCTAssertNotNil(after.processes.first { $0.label == RunningLab.guestLabel("director2") })
        XCTAssertEqual(try standby.run(["true"], timeout: 10).status, 0, "director2 runs on")
        XCTAssertThrowsError(try lab.crashGuest("director")) { error in
            XCTAssertTrue("\(error)".contains("no running uml director"), "\(error)")
        }

        let down = try LabCLI.run(["lab", "down", "--name", name], env: env)
        XCTAssertEqual(down.status, 0, down.stderr)
        XCTAssertEqual(LabTests.leftovers(prefix: Self.prefix, runDirectory: Self.runDirectory), [])
    }

    /// Pids whose process group is `pgid` (field 5 of /proc/<pid>/stat).
    static func groupMembers(_ pgid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { p in
            guard let stat = try? String(contentsOfFile: "/proc/\(p)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[2]) == pgid
        }
    }
}
