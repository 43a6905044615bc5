import Foundation
import SystemKit
import TestSupport
import XCTest

/// `lvsbench scenario` against real labs (a UML director here), with short timelines that
/// still decide each scenario's direction. Needs root.
final class LiveScenarioTests: LiveCLITestCase {
    override class var prefix: String { TestPrefix.named("Es") }

    /// Runs a scenario and returns its summary's scenario section by variant name.
    func scenario(_ argv: [String]) throws -> (variants: [String: [String: Any]], findings: [[String: Any]], dir: String) {
        let out = root.appendingPathComponent("results").path
        let r = try CLI.run(["scenario"] + argv + ["--out", out, "--name", "live", "--json"], prefix: Self.prefix, timeout: 900)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try CLI.namespaces(prefix: Self.prefix), [], "no lab left behind")
        let outcome = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
        let dir = try XCTUnwrap(outcome["directory"] as? String)
        XCTAssertTrue((outcome["files"] as? [String] ?? []).contains(dir + "/timeline.csv"))
        try SchemaCheck.validate(summary: dir + "/summary.json")
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any])
        XCTAssertEqual(summary["complete"] as? Bool, true)
        let section = try XCTUnwrap(summary["scenario"] as? [String: Any])
        let variants = try XCTUnwrap(section["variants"] as? [[String: Any]])
        for v in variants {
            print("scenario \(v["name"] ?? ""): \(v["metrics"] ?? [:])")
        }
        return (Dictionary(uniqueKeysWithValues: variants.map { ($0["name"] as! String, $0) }),
                section["findings"] as? [[String: Any]] ?? [], dir)
    }

    static func metrics(_ v: [String: Any]?) -> [String: Any] { v?["metrics"] as? [String: Any] ?? [:] }

    /// New connections keep going to a dead real until it is quiesced: with weight 0 none do.
    func testDeadRealWeightZeroSendsNoNewConnectionsWhereNothingKeepsSending() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        let run = try scenario(["dead-real", "--variants", "nothing,weight-0", "--load", "http-close",
                                "--duration", "6s", "--fault-at", "2s", "--rate", "300", "-c", "20"])
        let nothing = Self.metrics(run.variants["nothing/http-close"])
        let weight0 = Self.metrics(run.variants["weight-0/http-close"])
        XCTAssertGreaterThan(nothing["scheduled_to_faulty_real"] as? Int ?? 0, 0, "rr keeps scheduling to the dead real")
        XCTAssertGreaterThan(nothing["failed_after_fault"] as? Int ?? 0, 0, "and the client loses requests")
        XCTAssertEqual(weight0["scheduled_to_faulty_real"] as? Int, 0, "weight 0: no new connection to the real")
        XCTAssertNotNil(weight0["recovery_s"] as? Double, "weight 0: the service recovers")
        XCTAssertLessThan(weight0["failed_after_fault"] as? Int ?? .max, nothing["failed_after_fault"] as? Int ?? 0)
        let verdicts = run.findings.map { $0["verdict"] as? String ?? "" }
        XCTAssertEqual(Array(verdicts.prefix(2)), ["shown", "shown"], "\(run.findings)")
        let md = try String(contentsOfFile: run.dir + "/report.md", encoding: .utf8)
        XCTAssertTrue(md.contains("## Findings"))
    }
}
