import SystemKit
import XCTest

final class ProcessRunnerTests: XCTestCase {
    func testCapturesStdoutStderrAndStatus() throws {
        let result = try ProcessRunner.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.stdout, "out\n")
        XCTAssertEqual(result.stderr, "err\n")
        XCTAssertFalse(result.succeeded)
    }

    func testPassesInputToStdin() throws {
        let result = try ProcessRunner.check(["cat"], input: Data("hello".utf8))
        XCTAssertEqual(result.stdout, "hello")
    }

    func testLargeOutputOnBothStreamsDoesNotDeadlock() throws {
        let result = try ProcessRunner.check(["sh", "-c", "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2"], timeout: 20)
        XCTAssertEqual(result.stdout.utf8.count, 300_000)
        XCTAssertEqual(result.stderr.utf8.count, 300_000)
    }

    func testTimeoutKillsAndReports124() throws {
        let start = Date()
        let result = try ProcessRunner.run(["sleep", "10"], timeout: 0.3)
        XCTAssertEqual(result.status, 124)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    /// A stop request SIGTERMs the child at once instead of waiting for it to end.
    func testSuperviseTerminatesTheChildWhenAskedToStop() throws {
        let start = Date(), asked = start.addingTimeInterval(0.2)
        let run = try ProcessRunner.supervise(["sleep", "10"], timeout: 20, stopWhen: { Date() >= asked })
        XCTAssertTrue(run.stopped)
        XCTAssertFalse(run.timedOut)
        XCTAssertEqual(run.result.status, SIGTERM)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    /// A child that ignores the stop request is still killed at the timeout.
    func testSuperviseKillsAChildThatIgnoresTheStopAtTheTimeout() throws {
        let start = Date()
        let run = try ProcessRunner.supervise(["sh", "-c", "trap '' TERM; while :; do :; done"], timeout: 0.5,
                                              stopWhen: { Date().timeIntervalSince(start) > 0.1 })
        XCTAssertTrue(run.stopped)
        XCTAssertTrue(run.timedOut)
        XCTAssertEqual(run.result.status, 124)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testSuperviseWithoutStopOrTimeoutRunsToTheEnd() throws {
        let run = try ProcessRunner.supervise(["sh", "-c", "echo done"], stopWhen: { false })
        XCTAssertEqual(run.result, ProcessResult(status: 0, stdout: "done\n", stderr: ""))
        XCTAssertFalse(run.timedOut)
        XCTAssertFalse(run.stopped)
    }

    func testCheckThrowsCommandFailedNamingTheCommand() {
        XCTAssertThrowsError(try ProcessRunner.check(["sh", "-c", "echo boom >&2; exit 1"])) { error in
            let failed = error as? CommandFailed
            XCTAssertEqual(failed?.result.status, 1)
            XCTAssertTrue(failed?.description.contains("boom") ?? false)
            XCTAssertTrue(failed?.description.contains("sh -c") ?? false)
        }
    }

    func testMissingToolNamesThePackage() {
        XCTAssertThrowsError(try ProcessRunner.run(["no-such-tool-lvsbench"])) { error in
            XCTAssertTrue(error is MissingTool)
        }
        let e = MissingTool(tool: "ipvsadm", package: "ipvsadm")
        XCTAssertTrue(e.description.contains("apt-get install ipvsadm"))
        XCTAssertEqual(e.exitStatus, .usage)
    }

    func testFindsSbinToolsEvenWithoutSbinInPath() {
        XCTAssertNotNil(ToolLocator.find("ip"))
    }

    /// An empty or "." PATH entry means the current directory: a tool planted there (in /tmp,
    /// say) must not be what root runs.
    func testRelativePathEntriesAreNotSearched() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("toolpath-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tool = "lvsbench-planted-tool"
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/" + tool, contents: Data("#!/bin/sh\n".utf8),
                                                     attributes: [.posixPermissions: 0o755]))
        let savedPath = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let savedDirectory = FileManager.default.currentDirectoryPath
        defer {
            setenv("PATH", savedPath, 1)
            FileManager.default.changeCurrentDirectoryPath(savedDirectory)
        }
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(dir))
        for path in [":/usr/bin", ".:/usr/bin", "/usr/bin::/bin"] {
            setenv("PATH", path, 1)
            XCTAssertNil(ToolLocator.find(tool), "PATH=\(path)")
        }
        setenv("PATH", dir + ":/usr/bin", 1)
        XCTAssertEqual(ToolLocator.find(tool), dir + "/" + tool, "an absolute entry is searched")
    }
}
