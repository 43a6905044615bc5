import Foundation
import Lab
import SystemKit
import XCTest

/// Faults around a lab's state leave nothing behind and lose nothing: a damaged or foreign
/// state.json, `down --all` beside a live owner, two `lab up` of one name, commands without
/// `--name`. Each test has a prefix and run directory of its own.
final class LabStateFaultTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
    }

    private func isolatedEnvironment(_ tag: String) -> [String: String] {
        ["LVSBENCH_PREFIX": LabEnvironment.prefix + tag, "LVSBENCH_RUN_DIR": LabEnvironment.runDirectory + "-" + tag]
    }

    private func leftovers(_ env: [String: String]) -> [String] {
        LabTests.leftovers(prefix: env["LVSBENCH_PREFIX"]!, runDirectory: env["LVSBENCH_RUN_DIR"]!)
    }

    private func cleanUp(_ env: [String: String]) {
        _ = try? LabCLI.run(["lab", "down", "--all", "--force"], env: env)
        try? FileManager.default.removeItem(atPath: env["LVSBENCH_RUN_DIR"]!)
    }

    private func up(_ name: String, env: [String: String]) throws {
        let r = try LabCLI.run(["lab", "up", "--name", name, "--reals", "1"], env: env)
        guard r.succeeded else { throw RuntimeFailure("lab up --name \(name) exited \(r.status): \(r.stderr)") }
    }

    private func statePath(_ name: String, _ env: [String: String]) -> String {
        env["LVSBENCH_RUN_DIR"]! + "/labs/\(name)/state.json"
    }

    private func assertOneLine(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(trimmed.isEmpty, file: file, line: line)
        XCTAssertFalse(trimmed.contains("\n"), "not one line: \(text)", file: file, line: line)
    }

    /// The defect: a truncated state.json made `lab down` delete the directory, exit 0, and
    /// leak every namespace, guest and server, and the tuning undo log with them.
    func testTruncatedStateIsRemovedByNameAndTheUndoLogKept() throws {
        let env = isolatedEnvironment("u")
        defer { cleanUp(env) }
        try up("dmg", env: env)
        let labDir = env["LVSBENCH_RUN_DIR"]! + "/labs/dmg"
        let undo = SysctlUndoLog(origin: "test", entries: [
            SysctlUndoLog.Entry(node: "director", kind: .sysctl, key: "net.core.somaxconn", place: .host, found: "4096", applied: "8192"),
        ])
        try undo.save(labDirectory: labDir)
        let path = statePath("dmg", env)
        let full = try XCTUnwrap(FileManager.default.contents(atPath: path))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: path))

        let status = try LabCLI.run(["lab", "status", "--name", "dmg"], env: env)
        XCTAssertEqual(status.status, 1)
        XCTAssertTrue(status.stderr.contains("is unreadable"), status.stderr)

        let down = try LabCLI.run(["lab", "down", "--name", "dmg"], env: env)
        XCTAssertEqual(down.status, 1, "an unreadable state is not a clean removal")
        assertOneLine(down.stderr)
        for part in ["unreadable", "left:", SysctlUndoLog.path(labDirectory: labDir), "sysctl -q -w net.core.somaxconn=4096"] {
            XCTAssertTrue(down.stderr.contains(part), "no '\(part)' in: \(down.stderr)")
        }
        XCTAssertEqual(leftovers(env), ["lab directory dmg"], "only the directory holding the undo log may stay")
        XCTAssertEqual(try SysctlUndoLog.load(labDirectory: labDir)?.entries, undo.entries)
        // Still said on the next try, still nothing deleted.
        XCTAssertEqual(try LabCLI.run(["lab", "down", "--all"], env: env).status, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: SysctlUndoLog.path(labDirectory: labDir)))
    }

    /// A restore that fails keeps its undo log, as its comment promises: `lab down` removes
    /// the rest, exits 1 naming the log, and says so again until the user removes it.
    func testFailedRestoreKeepsTheUndoLog() throws {
        let env = isolatedEnvironment("l")
        defer { cleanUp(env) }
        try up("rst", env: env)
        let labDir = env["LVSBENCH_RUN_DIR"]! + "/labs/rst"
        try SysctlUndoLog(origin: "test", entries: [
            SysctlUndoLog.Entry(node: "client", kind: .sysctl, key: "net.ipv4.no_such_key", place: .node, found: "1", applied: "2"),
        ]).save(labDirectory: labDir)

        let down = try LabCLI.run(["lab", "down", "--name", "rst"], env: env)
        XCTAssertEqual(down.status, 1)
        assertOneLine(down.stderr)
        XCTAssertTrue(down.stderr.contains("could not restore net.ipv4.no_such_key"), down.stderr)
        XCTAssertTrue(down.stderr.contains(SysctlUndoLog.path(labDirectory: labDir)), down.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: labDir), ["tuning.json"])
        XCTAssertEqual(leftovers(env), ["lab directory rst"])

        let again = try LabCLI.run(["lab", "down", "--all"], env: env)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("`rm -r \(labDir)`"), again.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: SysctlUndoLog.path(labDirectory: labDir)))
    }

    /// A state of a newer format is foreign: `down --all` does not read it as its own, but
    /// still removes the lab by name and by the processes salvaged from the file.
    func testForeignStateIsRemovedByDownAll() throws {
        let env = isolatedEnvironment("f")
        defer { cleanUp(env) }
        try up("frn", env: env)
        let path = statePath("frn", env)
        let text = String(decoding: try XCTUnwrap(FileManager.default.contents(atPath: path)), as: UTF8.self)
        let foreign = text.replacingOccurrences(of: "\"formatVersion\" : \(LabState.currentFormatVersion)", with: "\"formatVersion\" : 99")
        XCTAssertNotEqual(foreign, text)
        try AtomicFile.write(foreign, to: path)
        XCTAssertFalse(leftovers(env).isEmpty)

        let down = try LabCLI.run(["lab", "down", "--all"], env: env)
        XCTAssertEqual(down.status, 1)
        assertOneLine(down.stderr)
        XCTAssertTrue(down.stderr.contains("format version 99"), down.stderr)
        XCTAssertTrue(down.stderr.contains("nothing else of it can be found"), down.stderr)
        XCTAssertEqual(leftovers(env), [])
        XCTAssertEqual(try LabCLI.run(["lab", "down", "--all"], env: env).status, 0)
    }

    /// `lab up` exits, so its lab has no live owner; a lab whose owner runs (as `lvsbench run`
    /// does for its labs) is skipped by `down --all`, said on stderr, exit 0; `--force` removes it.
    func testDownAllSkipsALabWhoseOwnerRuns() throws {
        let env = isolatedEnvironment("o")
        defer { cleanUp(env) }
        try up("own", env: env)
        let path = statePath("own", env)
        var state = try JSONCoding.decode(LabState.self, from: try XCTUnwrap(FileManager.default.contents(atPath: path)))
        XCTAssertNotNil(state.ownerStartTime)
        XCTAssertNil(state.liveOwner, "the lab up that made it has exited")

        let log = FileManager.default.temporaryDirectory.appendingPathComponent("owner-\(getpid()).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let owner = try DetachedProcess.spawn(["sleep", "120"], log: log)
        defer { kill(owner, SIGKILL); _ = DetachedProcess.isAlive(owner) }
        state.ownerPid = owner
        state.ownerStartTime = DetachedProcess.startTime(of: owner)
        try AtomicFile.writeJSON(state, to: path)

        let down = try LabCLI.run(["lab", "down", "--all"], env: env)
        XCTAssertEqual(down.status, 0, down.stderr)
        XCTAssertTrue(down.stderr.contains("skipped lab own") && down.stderr.contains("pid \(owner)"), down.stderr)
        let curl = try LabCLI.run(["lab", "exec", "--name", "own", "client", "--", "curl", "-s", "-m", "5", "http://\(state.vip)/"], env: env)
        XCTAssertEqual(curl.status, 0, curl.stderr)
        XCTAssertTrue(curl.stdout.hasPrefix("real1"), "the skipped lab no longer answers: \(curl.stdout)")

        let forced = try LabCLI.run(["lab", "down", "--all", "--force"], env: env)
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(leftovers(env), [])
        XCTAssertTrue(DetachedProcess.isAlive(owner), "down never touches the owner")
    }

    /// The defect: two `lab up --name same` at once raced, and the loser's teardown deleted
    /// the winner's namespaces. Now exactly one wins, the loser exits 2 with one line and
    /// touches nothing, and the winner's lab works, found without --name as the only lab up.
    func testTwoUpsOfOneNameAtOnceLeaveTheWinnerIntact() throws {
        let env = isolatedEnvironment("r")
        defer { cleanUp(env) }
        let ups = try (0..<2).map { _ -> (Process, Pipe) in
            let process = Process(), stderr = Pipe()
            process.executableURL = URL(fileURLWithPath: LabCLI.binary)
            process.arguments = ["lab", "up", "--name", "same", "--reals", "1"]
            process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }.merging(["LVSBENCH_EXE": LabCLI.binary]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = stderr
            return (process, stderr)
        }
        for (process, _) in ups { try process.run() }
        let results = ups.map { process, pipe -> (Int32, String) in
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        XCTAssertEqual(results.map(\.0).sorted(), [0, 2], "\(results)")
        let loser = try XCTUnwrap(results.first { $0.0 == 2 })
        assertOneLine(loser.1)
        XCTAssertTrue(loser.1.contains("lab name 'same' is already in use"), loser.1)

        let status = try LabCLI.run(["lab", "status"], env: env)
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stderr.contains("using lab same"), status.stderr)
        let state = try JSONCoding.decode(LabState.self, from: try XCTUnwrap(FileManager.default.contents(atPath: statePath("same", env))))
        let namespaces = Set(try LabEngine.listNamespaces())
        XCTAssertTrue(Set(state.namespaces).isSubset(of: namespaces), "the winner lost namespaces")
        let curl = try LabCLI.run(["lab", "exec", "client", "--", "curl", "-s", "-m", "5", "http://\(state.vip)/"], env: env)
        XCTAssertEqual(curl.status, 0, curl.stderr)
        XCTAssertTrue(curl.stdout.hasPrefix("real1"), curl.stdout)
        XCTAssertTrue(curl.stderr.contains("using lab same"), curl.stderr)

        // tune and collect find it too.
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("collect-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let collect = try LabCLI.run(["collect", "--duration", "1s", "--interval", "200ms", "--no-capture", "--out", out], env: env)
        XCTAssertEqual(collect.status, 0, collect.stderr)
        XCTAssertTrue(collect.stderr.contains("using lab same"), collect.stderr)
        let diff = try LabCLI.run(["tune", "diff"], env: env)
        XCTAssertTrue(diff.stderr.contains("using lab same"), diff.stderr)

        XCTAssertEqual(try LabCLI.run(["lab", "down", "--all"], env: env).status, 0)
        XCTAssertEqual(leftovers(env), [])
    }

    /// Without --name and with no lab or several up, status, exec, tune and collect say which
    /// labs there are, in one line, exit 2.
    func testCommandsWithoutNameNeedExactlyOneLab() throws {
        let env = isolatedEnvironment("n")
        defer { try? FileManager.default.removeItem(atPath: env["LVSBENCH_RUN_DIR"]!) }
        let commands = [["lab", "status"], ["lab", "exec", "client", "--", "true"], ["tune", "diff"], ["tune", "reset"],
                        ["tune", "apply", "conn-churn"], ["collect", "--duration", "1s"]]
        for command in commands {
            let r = try LabCLI.run(command, env: env)
            XCTAssertEqual(r.status, 2, "\(command): \(r.stderr)")
            assertOneLine(r.stderr)
            XCTAssertTrue(r.stderr.contains("no lab is up"), "\(command): \(r.stderr)")
        }
        for name in ["b", "a"] {
            try AtomicFile.write("{}", to: env["LVSBENCH_RUN_DIR"]! + "/labs/\(name)/state.json")
        }
        for command in commands {
            let r = try LabCLI.run(command, env: env)
            XCTAssertEqual(r.status, 2, "\(command): \(r.stderr)")
            assertOneLine(r.stderr)
            XCTAssertTrue(r.stderr.contains("2 labs are up (a, b): pick one with --name"), "\(command): \(r.stderr)")
        }
    }
}
