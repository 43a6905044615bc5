import Foundation
import SystemKit
import TestSupport
import XCTest

/// The plain-forward reference against a real lab: every cell records the same director
/// forwarding without IPVS, with sane figures, and IPVS's counters stay still while that
/// traffic runs (it really bypassed IPVS) though they move for the load through the VIP.
final class LivePlainForwardTests: LiveCLITestCase {
    override class var prefix: String { TestPrefix.named("Ep") }

    func testEveryCellRecordsAPlainForwardReferenceThatBypassesIPVS() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        let out = root.appendingPathComponent("results").path
        let r = try CLI.run(["run", "--mode", "nat,dr", "--scheduler", "rr", "--load", "http-close", "--duration", "2s",
                             "--warmup", "1s", "--out", out, "--name", "plain", "--json"], prefix: Self.prefix, timeout: 600)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try CLI.namespaces(prefix: Self.prefix), [], "no lab left behind")
        let outcome = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let dir = try XCTUnwrap(outcome["directory"] as? String)
        try SchemaCheck.validate(summary: dir + "/summary.json")
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any])
        let cells = try XCTUnwrap(summary["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.count, 2)
        for cell in cells {
            let mode = try XCTUnwrap(cell["mode"] as? String)
            let plain = try XCTUnwrap(cell["plain_forward"] as? [String: Any], "\(mode): no plain-forward reference")
            XCTAssertGreaterThan(plain["plain_rps"] as? Double ?? 0, 0, mode)
            XCTAssertGreaterThan(plain["us_per_packet_plain"] as? Double ?? 0, 0, mode)
            XCTAssertGreaterThan(plain["us_per_packet_ipvs"] as? Double ?? 0, 0, mode)
            XCTAssertNotNil(plain["ipvs_us_per_packet"] as? Double, mode)
            XCTAssertNotNil(plain["ipvs_us_per_conn"] as? Double, "\(mode): http-close has a per-connection cost")
            XCTAssertGreaterThan(plain["ipvs_to_plain_ratio"] as? Double ?? 0, 0, mode)
            // Settled readings around the first plain stretch of every repeat: IPVS did not see it ...
            XCTAssertEqual(plain["ipvs_packets_during_plain"] as? Int, 0, "\(mode): the plain path went through IPVS")
            // ... while the same counters did count the load through the VIP.
            let director = try XCTUnwrap(cell["director"] as? [String: Any])
            XCTAssertGreaterThan(director["in_pkts"] as? Int ?? 0, 0, mode)
        }
        let csv = try String(contentsOfFile: dir + "/cells.csv", encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("mode,") && csv.contains(",ipvs_us_per_packet,"))
        let report = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("IPVS's own cost: the same director with and without IPVS"))
    }
}
