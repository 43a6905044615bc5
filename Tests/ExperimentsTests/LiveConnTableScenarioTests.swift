import Foundation
import SystemKit
import TestSupport
import XCTest

/// `lvsbench scenario conn-table` against a real lab (a UML director here): a short DR run
/// in which the tutorial's short FIN_WAIT timeout must leave fewer entries than the default.
/// Needs root.
final class LiveConnTableScenarioTests: LiveCLITestCase {
    override class var prefix: String { TestPrefix.named("Ec") }

    /// The table's entries in a variant's last director sample (ActiveConn + InActConn).
    static func finalEntries(_ variant: [String: Any]?) -> Int {
        let director = variant?["director"] as? [[String: Any]] ?? []
        let reals = director.last?["reals"] as? [String: [String: Any]] ?? [:]
        return reals.values.reduce(0) { $0 + ($1["active"] as? Int ?? 0) + ($1["inactive"] as? Int ?? 0) }
    }

    /// In DR the entries of closed connections wait in FIN_WAIT, whose timeout is --set's
    /// tcpfin: 5 s with the tutorial's setting against 120 s by default, so after 10 s of load
    /// the tutorial's table is the smaller one.
    func testTutorialTimeoutsLeaveFewerEntriesInDR() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        let out = root.appendingPathComponent("results").path
        let r = try CLI.run(["scenario", "conn-table", "--mode", "dr", "--duration", "10s", "--rate", "1000",
                             "--out", out, "--name", "live", "--json"], prefix: Self.prefix, timeout: 600)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try CLI.namespaces(prefix: Self.prefix), [], "no lab left behind")
        let outcome = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
        let dir = try XCTUnwrap(outcome["directory"] as? String)
        try SchemaCheck.validate(summary: dir + "/summary.json")
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any])
        let section = try XCTUnwrap(summary["scenario"] as? [String: Any])
        let list = try XCTUnwrap(section["variants"] as? [[String: Any]])
        let variants = Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as! String, $0) })
        let defaults = Self.finalEntries(variants["defaults/dr/tcp-crr"]), tutorial = Self.finalEntries(variants["tutorial/dr/tcp-crr"])
        print("conn-table live: \(defaults) entries with the defaults, \(tutorial) with 30 5 60")
        XCTAssertGreaterThan(defaults, 2000, "10 s at 1000/s leave thousands of FIN_WAIT entries at 120 s")
        XCTAssertLessThan(tutorial, defaults, "tcpfin 5 s expires entries the defaults keep")
        let findings = section["findings"] as? [[String: Any]] ?? []
        XCTAssertEqual(findings.dropFirst().first?["verdict"] as? String, "shown", "DR's entries wait in FIN_WAIT: \(findings)")
        let md = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        XCTAssertTrue(md.contains("table by state: "), "the censuses are in the report")
    }
}
