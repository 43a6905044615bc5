import Foundation
import Lab
import SystemKit
import XCTest

/// Bad input: one line saying what is wrong, exit code 2, nothing created. (A name already
/// in use is checked in LabModeTests against a lab that exists.)
final class LabInputTests: XCTestCase {
    func testBadInputExitsTwoAndCreatesNothing() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        let env = ["LVSBENCH_PREFIX": LabEnvironment.prefix + "v", "LVSBENCH_RUN_DIR": LabEnvironment.runDirectory + "-v"]
        let cases: [([String], String)] = [
            (["--mode", "bridge"], "unknown mode 'bridge'"),
            (["--scheduler", "fifo"], "unknown scheduler 'fifo'"),
            (["--reals", "4", "--weights", "5,5,1"], "3 weights given for 4 reals"),
            (["--reals", "2", "--weights", "1,70000"], "weight 70000 is out of range"),
            (["--reals", "0"], "0 reals requested"),
            (["--name", "No_Such"], "lab name 'No_Such' is not valid"),
            (["--director", "xen"], "unknown director 'xen'"),
        ]
        for (args, expected) in cases {
            let r = try LabCLI.run(["lab", "up"] + args, env: env)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(expected), "\(args): \(r.stderr)")
            XCTAssertEqual(r.stdout, "")
        }
        XCTAssertEqual(LabTests.leftovers(prefix: env["LVSBENCH_PREFIX"]!, runDirectory: env["LVSBENCH_RUN_DIR"]!), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: env["LVSBENCH_RUN_DIR"]! + "/labs"))
    }

    func testLabCommandsOnAMissingLabSayWhatToDo() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        let env = ["LVSBENCH_PREFIX": LabEnvironment.prefix + "v", "LVSBENCH_RUN_DIR": LabEnvironment.runDirectory + "-v"]
        let status = try LabCLI.run(["lab", "status", "--name", "absent"], env: env)
        XCTAssertEqual(status.status, 2)
        XCTAssertTrue(status.stderr.contains("no lab named 'absent'"), status.stderr)
        let exec = try LabCLI.run(["lab", "exec", "--name", "absent", "client", "--", "true"], env: env)
        XCTAssertEqual(exec.status, 2)
        XCTAssertEqual(try LabCLI.run(["lab", "down", "--name", "absent"], env: env).status, 0)
    }

    /// As root, drops to nobody with setpriv(1) to see what a non-root user sees.
    func testNonRootIsToldRootIsNeeded() throws {
        var argv = [LabCLI.binary]
        if Privileges.isRoot {
            let setpriv = try XCTUnwrap(ToolLocator.find("setpriv"), "setpriv (util-linux) is needed")
            argv = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] + argv
        }
        for sub in [["lab", "up"], ["lab", "status"], ["lab", "down", "--all"]] {
            let r = try ProcessRunner.run(argv + sub)
            XCTAssertEqual(r.status, 2, "\(sub): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1)
            XCTAssertTrue(r.stderr.contains("needs root"), r.stderr)
        }
    }
}
