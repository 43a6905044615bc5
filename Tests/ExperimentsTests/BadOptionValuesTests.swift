import Foundation
import SystemKit
import TestSupport
import XCTest

/// Every numeric option of every command, given NaN, infinities, negatives, zero, huge
/// values and values beyond the integer types: exit 2 with one line naming the option,
/// no crash (the issue's `load --rate 1e-30` died with SIGILL, `-d 1000000h` aborted, `run
/// --rate 1e19` crashed after the lab was up), and nothing created. The commands run as
/// `nobody` when the tests run as root, so that a value that slipped through validation
/// ends at the root check instead of building a lab.
final class BadOptionValuesTests: XCTestCase {
    /// Arguments and the text the error must contain (the option's name).
    typealias Case = (argv: [String], names: String)

    static let target = "http://127.0.0.1:1/"

    static let runCases: [Case] = [
        (["run", "--rate", "1e19"], "--rate"), (["run", "--rate", "1e-30"], "--rate"), (["run", "--rate", "nan"], "--rate"),
        (["run", "--rate", "inf"], "--rate"), (["run", "--rate=-5"], "--rate"), (["run", "--rate", "0"], "--rate"),
        (["run", "--duration", "1e19s"], "--duration"), (["run", "--duration", "1000000h"], "--duration"),
        (["run", "--duration", "0"], "--duration"), (["run", "--duration", "50ms"], "--duration"),
        (["run", "--duration", "nan"], "--duration"), (["run", "--duration", "inf"], "--duration"),
        (["run", "--duration", "1e-300"], "--duration"), (["run", "--duration", "25h"], "--duration"),
        (["run", "--warmup", "1e400"], "--warmup"), (["run", "--warmup", "-1s"], "--warmup"),
        (["run", "--warmup", "25h"], "--warmup"), (["run", "--warmup", "1us"], "--warmup"),
        (["run", "-c", "0"], "-c"), (["run", "-c", "99999999999"], "-c"), (["run", "-c", "99999999999999999999"], "-c"),
        (["run", "--reals", "0"], "--reals"), (["run", "--reals", "65"], "--reals"),
        (["run", "--reals", "99999999999999999999"], "--reals"),
        (["run", "--repeat", "0"], "--repeat"), (["run", "--repeat", "51"], "--repeat"),
        (["run", "--repeat", "9999999999999"], "--repeat"),
        (["run", "--weights", "1,1,1,99999999999999999999"], "weight"), (["run", "--weights", "-1,1,1,1"], "weight"),
    ]

    static let sweepCases: [Case] = [
        (["sweep", "--real-rps", "9e18"], "--real-rps"), (["sweep", "--real-rps", "9000000000000000000"], "--real-rps"),
        (["sweep", "--real-rps", "0"], "--real-rps"), (["sweep", "--real-rps=-1"], "--real-rps"),
        (["sweep", "--real-rps", "100000001"], "--real-rps"),
        (["sweep", "--real-rate", "1e30KB/s"], "--real-rate"), (["sweep", "--real-rate", "nan"], "--real-rate"),
        (["sweep", "--real-rate", "0"], "--real-rate"), (["sweep", "--real-rate", "1B/s"], "--real-rate"),
        (["sweep", "--real-rate", "2GB/s"], "--real-rate"), (["sweep", "--real-rate", "0.5"], "--real-rate"),
        (["sweep", "--real-rate", "99999999999999999999"], "--real-rate"),
        (["sweep", "--reals", "0"], "--reals"), (["sweep", "--reals", "65"], "--reals"),
        (["sweep", "--reals", "1,99999999999999999999"], "--reals"), (["sweep", "--reals", ""], "--reals"),
        (["sweep", "-c", "0"], "-c"), (["sweep", "-c", "20000"], "-c"),
        (["sweep", "--duration", "1e19s"], "--duration"), (["sweep", "--duration", "1000000h"], "--duration"),
        (["sweep", "--warmup", "1e19s"], "--warmup"),
        (["sweep", "--load", "tcp-crr"], "--load"), (["sweep", "--load", "x"], "--load"),
    ]

    static let loadCases: [Case] = [
        (["load", target, "-d", "1s", "--rate", "1e-30"], "--rate"), (["load", target, "-d", "1000000h"], "--duration"),
        (["load", target, "-d", "1e19s"], "--duration"), (["load", target, "-d", "1e-9s"], "--duration"),
        (["load", target, "-d", "nan"], "--duration"), (["load", target, "--rate", "1e19"], "--rate"),
        (["load", target, "--rate", "nan"], "--rate"), (["load", target, "--rate", "inf"], "--rate"),
        (["load", target, "--rate=-1"], "--rate"),
        (["load", target, "-c", "0"], "--connections"), (["load", target, "-c", "100000"], "--connections"),
        (["load", target, "-c", "99999999999999999999"], "-c"),
        (["load", target, "--threads", "0"], "--threads"), (["load", target, "--threads", "257"], "--threads"),
        (["load", target, "--threads", "99999999999"], "--threads"),
        (["load", target, "--timeout", "0"], "--timeout"), (["load", target, "--timeout", "1e19s"], "--timeout"),
        (["load", target, "--timeout", "0.5us"], "--timeout"), (["load", target, "--timeout", "25h"], "--timeout"),
        (["load", target, "--request-size", "1e30"], "--request-size"), (["load", target, "--request-size", "4"], "--request-size"),
        (["load", target, "--request-size", "65M"], "--request-size"), (["load", target, "--request-size=-1"], "--request-size"),
        (["load", target, "--request-size", "0.5"], "--request-size"), (["load", target, "--request-size", "nan"], "--request-size"),
        (["load", target, "--response-size", "99999999999999999999"], "--response-size"),
        (["load", "http://127.0.0.1:99999999999999999999/"], "port"),
    ]

    static let collectCases: [Case] = [
        (["collect", "--interval", "0"], "--interval"), (["collect", "--interval", "10ms"], "--interval"),
        (["collect", "--interval", "1e19s"], "--interval"), (["collect", "--interval", "nan"], "--interval"),
        (["collect", "--interval", "inf"], "--interval"), (["collect", "--duration", "1e19s"], "--duration"),
        (["collect", "--duration", "0"], "--duration"), (["collect", "--duration", "-1s"], "--duration"),
    ]

    /// Checked after the root check (LabCommand's order), by LabSpec before anything is built.
    static let labCases: [Case] = [
        (["lab", "up", "--reals", "0"], "reals"), (["lab", "up", "--reals", "99999999999"], "reals"),
        (["lab", "up", "--reals", "99999999999999999999"], "--reals"),
        (["lab", "up", "--weights", "1,99999999999999999999"], "weight"),
        (["lab", "up", "--persistence", "0"], "persistence"), (["lab", "up", "--persistence", "99999999999999"], "persistence"),
        (["lab", "up", "--persistence=-5"], "persistence"),
    ]

    func testBadValuesExitTwoWithOneLineNamingTheOptionAndCreateNothing() throws {
        let prefix = TestPrefix.named("Bv")
        let runDir = CLI.runDirectory(prefix: prefix)
        let runDirExisted = FileManager.default.fileExists(atPath: runDir)
        let work = URL(fileURLWithPath: "/tmp").appendingPathComponent("lvsbench-badvalues-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        if Privileges.isRoot {
            try XCTSkipIf(ToolLocator.find("setpriv") == nil, "setpriv (util-linux) missing: cannot run the cases as nobody")
        }
        let asNobody = Privileges.isRoot ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        var cases: [(argv: [String], names: String, wrap: [String])] = []
        for c in Self.runCases + Self.sweepCases {
            cases.append((c.argv + ["--out", work.appendingPathComponent("results").path], c.names, asNobody))
        }
        for c in Self.loadCases { cases.append((c.argv, c.names, asNobody)) }
        for c in Self.collectCases {
            cases.append((c.argv + ["--out", work.appendingPathComponent("collect.jsonl").path], c.names, asNobody))
        }
        if Privileges.isRoot { for c in Self.labCases { cases.append((c.argv + ["--name", "bv"], c.names, [])) } }
        print("bad option values: \(cases.count) cases")
        for c in cases {
            let r = try ProcessRunner.run(c.wrap + [CLI.path] + c.argv, timeout: 30, environment: CLI.environment(prefix: prefix))
            XCTAssertEqual(r.status, 2, "\(c.argv): exit \(r.status): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(c.argv): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("lvsbench: "), "\(c.argv): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(c.names), "\(c.argv): '\(r.stderr)' does not name \(c.names)")
            XCTAssertTrue(r.stdout.isEmpty, "\(c.argv): \(r.stdout)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: work.path), "\(c.argv) created \(work.path)")
            XCTAssertEqual(FileManager.default.fileExists(atPath: runDir), runDirExisted, "\(c.argv) touched \(runDir)")
        }
        XCTAssertEqual(try CLI.namespaces(prefix: prefix), [])
    }
}
