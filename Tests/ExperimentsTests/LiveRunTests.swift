import Foundation
import SystemKit
import TestSupport
import XCTest

/// `lvsbench run` against a real lab (UML director here). Needs root; keeps to the short
/// matrix the issue asks for so the suite stays a couple of minutes on two cores.
final class LiveRunTests: LiveCLITestCase {
    override class var prefix: String { TestPrefix.named("Et") }

    func testShortMatrixWritesEverythingAndMeasuresWhatTheModesPromise() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        let out = root.appendingPathComponent("results").path
        let r = try CLI.run(["run", "--mode", "nat,dr", "--scheduler", "rr,wrr", "--duration", "2s", "--warmup", "1s",
                             "--out", out, "--name", "live", "--json"], prefix: Self.prefix, timeout: 600)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try CLI.namespaces(prefix: Self.prefix), [], "no lab left behind")
        let outcome = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let dir = try XCTUnwrap(outcome["directory"] as? String)
        for file in ["summary.json", "samples.jsonl", "cells.csv", "report.md", "report.html", "reproduce.json"] {
            let attrs = try FileManager.default.attributesOfItem(atPath: dir + "/" + file)
            XCTAssertGreaterThan(attrs[.size] as? Int ?? 0, 0, file)
        }
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest"),
                       URL(fileURLWithPath: dir).lastPathComponent)
        try SchemaCheck.validate(summary: dir + "/summary.json")

        let summary = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any])
        XCTAssertEqual(summary["complete"] as? Bool, true)
        let cells = try XCTUnwrap(summary["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.map { "\($0["mode"]!)-\($0["scheduler"]!)" }, ["nat-rr", "nat-wrr", "dr-rr", "dr-wrr"])
        for cell in cells {
            let name = "\(cell["mode"]!)/\(cell["scheduler"]!)"
            XCTAssertGreaterThan(cell["rps"] as? Double ?? 0, 0, name)
            XCTAssertGreaterThan(cell["direct_rps"] as? Double ?? 0, 0, name)
            let director = try XCTUnwrap(cell["director"] as? [String: Any])
            XCTAssertGreaterThan(director["in_pkts"] as? Int ?? 0, 0, name)
            if cell["mode"] as? String == "dr" {
                XCTAssertEqual(director["out_pkts"] as? Int, 0, "\(name): DR replies bypass the director")
            } else {
                XCTAssertGreaterThan(director["out_pkts"] as? Int ?? 0, 0, "\(name): NAT replies cross the director")
            }
            let perReal = try XCTUnwrap(cell["per_real"] as? [[String: Any]])
            XCTAssertEqual(perReal.map { $0["weight"] as? Int }, [5, 5, 1, 1])
            if cell["scheduler"] as? String == "wrr" {
                for real in perReal {
                    let observed = try XCTUnwrap(real["observed_share"] as? Double)
                    let expected = try XCTUnwrap(real["expected_share"] as? Double)
                    XCTAssertEqual(observed, expected, accuracy: 0.03, "\(name) \(real["name"]!)")
                }
            }
        }
    }

    func testInterruptedRunCleansUpAndIsMarkedIncomplete() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        let out = root.appendingPathComponent("results").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.path)
        process.arguments = ["run", "--mode", "nat", "--scheduler", "rr,wrr,lc,wlc", "--duration", "2s",
                             "--out", out, "--name", "cut"]
        process.environment = CLI.environment(prefix: Self.prefix)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the first cell on disk so the signal lands in the middle of measuring.
        let summaryPath = out + "/latest/summary.json"
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && process.isRunning && !CLI.summaryHasCells(summaryPath) { usleep(200_000) }
        XCTAssertTrue(process.isRunning, "the run ended before it could be interrupted")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, ExitStatus.terminated.rawValue, "SIGTERM exits 143")
        XCTAssertEqual(try CLI.namespaces(prefix: Self.prefix), [], "no lab left behind")
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: summaryPath))) as? [String: Any])
        XCTAssertEqual(summary["complete"] as? Bool, false)
        XCTAssertGreaterThanOrEqual((summary["cells"] as? [Any])?.count ?? 0, 1)
        XCTAssertLessThan((summary["cells"] as? [Any])?.count ?? 0, 4)
        try SchemaCheck.validate(summary: summaryPath)
    }
}
