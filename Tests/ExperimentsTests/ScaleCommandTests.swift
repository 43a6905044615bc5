import Foundation
import Lab
import SystemKit
import TestSupport
import Vocabulary
import XCTest

/// `lvsbench scale`'s command line: bad values and balancers refused with exit 2 and one
/// line before anything exists (run as `nobody` when root, so a value that slipped through
/// ends at the root check, not in a lab), and help with an example.
final class ScaleCommandTests: XCTestCase {
    func testBadValuesAndRefusedBalancersExitTwoWithOneLineAndCreateNothing() throws {
        let prefix = "lvsBs"
        let runDir = CLI.runDirectory(prefix: prefix)
        let runDirExisted = FileManager.default.fileExists(atPath: runDir)
        let work = URL(fileURLWithPath: "/tmp").appendingPathComponent("lvsbench-scale-bad-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        if Privileges.isRoot {
            try XCTSkipIf(ToolLocator.find("setpriv") == nil, "setpriv (util-linux) missing: cannot run the cases as nobody")
        }
        let asNobody = Privileges.isRoot ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        var cases: [(argv: [String], names: String)] = [
            (["--services", "0"], "--services"), (["--services", "10001"], "--services"),
            (["--services", "1,99999999999999999999"], "--services"), (["--services", ""], "--services"),
            (["--services", "-5"], "--services"),
            (["--load", "http"], "--load"), (["--load", "tcp-rr"], "--load"),
            (["--balancer", "lvs"], "balancer"), (["--duration", "0"], "--duration"), (["--warmup", "-1s"], "--warmup"),
            (["--reals", "0"], "--reals"), (["-c", "0"], "-c"), (["--name", "a/b"], "name"),
        ]
        // Whatever the registry refuses for NAT with rr (the balancers this build lacks).
        for kind in BalancerKind.allCases
        where (try? DirectorBalancer.check(kind, mode: .nat, scheduler: .rr, persistence: nil)) == nil {
            cases.append((["--balancer", "ipvs,\(kind.rawValue)"], kind.rawValue))
        }
        for c in cases {
            let argv = ["scale"] + c.argv + ["--out", work.appendingPathComponent("results").path]
            let r = try ProcessRunner.run(asNobody + [CLI.path] + argv, timeout: 30, environment: CLI.environment(prefix: prefix))
            XCTAssertEqual(r.status, 2, "\(argv): exit \(r.status): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(argv): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("lvsbench: "), "\(argv): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(c.names), "\(argv): '\(r.stderr)' does not name \(c.names)")
            XCTAssertTrue(r.stdout.isEmpty, "\(argv): \(r.stdout)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: work.path), "\(argv) created \(work.path)")
            XCTAssertEqual(FileManager.default.fileExists(atPath: runDir), runDirExisted, "\(argv) touched \(runDir)")
        }
        XCTAssertEqual(try CLI.namespaces(prefix: prefix), [])
    }

    func testHelpHasAnExampleAndTheClaim() throws {
        let r = try ProcessRunner.run([CLI.path, "scale", "--help"], timeout: 30)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("Example:"), r.stdout)
        XCTAssertTrue(r.stdout.contains("lvsbench scale --balancer ipvs --services 1,10,100,1000,10000"), r.stdout)
        XCTAssertTrue(r.stdout.contains("iptables grows with N"), r.stdout)
        let top = try ProcessRunner.run([CLI.path, "--help"], timeout: 30)
        XCTAssertTrue(top.stdout.contains("scale"), top.stdout)
    }
}
