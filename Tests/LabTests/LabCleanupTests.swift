import Foundation
import Lab
import SystemKit
import XCTest

/// A `lab up` killed or interrupted midway leaves nothing behind once cleaned up. Each test
/// uses a prefix and run directory of its own, so `down --all` here never touches another
/// test's (or another user's) labs.
final class LabCleanupTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
    }

    func isolatedEnvironment(_ tag: String) -> [String: String] {
        ["LVSBENCH_PREFIX": LabEnvironment.prefix + tag, "LVSBENCH_RUN_DIR": LabEnvironment.runDirectory + "-" + tag,
         "LVSBENCH_EXE": LabCLI.binary]
    }

    /// Starts `lab up` in the background and waits until the guest is booting (its pid is
    /// recorded), so that namespaces, links, taps and the guest all exist.
    func startUp(env: [String: String], name: String, mode: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LabCLI.binary)
        process.arguments = ["lab", "up", "--name", name, "--mode", mode, "--reals", "2"]
        process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let statePath = env["LVSBENCH_RUN_DIR"]! + "/labs/\(name)/state.json"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let data = FileManager.default.contents(atPath: statePath),
               let state = try? JSONCoding.decode(LabState.self, from: data),
               state.processes.contains(where: { $0.pid > 0 }) { return process }
            usleep(20_000)
        }
        process.terminate()
        throw RuntimeFailure("lab up did not reach the guest boot within 60 s")
    }

    func testSIGKILLDuringUpThenDownAllLeavesNothing() throws {
        let env = isolatedEnvironment("k")
        defer {
            _ = try? LabCLI.run(["lab", "down", "--all"], env: env)
            try? FileManager.default.removeItem(atPath: env["LVSBENCH_RUN_DIR"]!)
        }
        let up = try startUp(env: env, name: "killed", mode: "tun")
        kill(up.processIdentifier, SIGKILL)
        up.waitUntilExit()
        let prefix = env["LVSBENCH_PREFIX"]!, runDir = env["LVSBENCH_RUN_DIR"]!
        XCTAssertFalse(LabTests.leftovers(prefix: prefix, runDirectory: runDir).isEmpty, "the killed lab up had built something")
        let down = try LabCLI.run(["lab", "down", "--all"], env: env)
        XCTAssertEqual(down.status, 0, down.stderr)
        XCTAssertEqual(LabTests.leftovers(prefix: prefix, runDirectory: runDir), [])
        // Idempotent.
        XCTAssertEqual(try LabCLI.run(["lab", "down", "--all"], env: env).status, 0)
        XCTAssertEqual(try LabCLI.run(["lab", "down", "--name", "killed"], env: env).status, 0)
    }

    func testCtrlCDuringUpTearsDown() throws {
        let env = isolatedEnvironment("i")
        defer {
            _ = try? LabCLI.run(["lab", "down", "--all"], env: env)
            try? FileManager.default.removeItem(atPath: env["LVSBENCH_RUN_DIR"]!)
        }
        let up = try startUp(env: env, name: "interrupted", mode: "nat")
        kill(up.processIdentifier, SIGINT)
        up.waitUntilExit()
        XCTAssertEqual(up.terminationStatus, ExitStatus.interrupted.rawValue)
        XCTAssertEqual(LabTests.leftovers(prefix: env["LVSBENCH_PREFIX"]!, runDirectory: env["LVSBENCH_RUN_DIR"]!), [])
    }
}
