import Foundation
import SystemKit
import TestSupport
import XCTest

/// `lvsbench scenario conn-table` against a real lab (a UML director here): a short DR run
/// in which the tutorial's short FIN_WAIT timeout must leave fewer entries than the default.
/// Needs root.
final class LiveConnTableScenarioTests: LiveScenarioTestCase {
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
        let run = try scenario(["conn-table", "--mode", "dr", "--duration", "10s", "--rate", "1000"], timeout: 600)
        let defaults = Self.finalEntries(run.variants["defaults/dr/tcp-crr"]), tutorial = Self.finalEntries(run.variants["tutorial/dr/tcp-crr"])
        print("conn-table live: \(defaults) entries with the defaults, \(tutorial) with 30 5 60")
        XCTAssertGreaterThan(defaults, 2000, "10 s at 1000/s leave thousands of FIN_WAIT entries at 120 s")
        XCTAssertLessThan(tutorial, defaults, "tcpfin 5 s expires entries the defaults keep")
        XCTAssertEqual(run.findings.dropFirst().first?["verdict"] as? String, "shown", "DR's entries wait in FIN_WAIT: \(run.findings)")
        let md = try String(contentsOfFile: run.dir + "/report.md", encoding: .utf8)
        XCTAssertTrue(md.contains("table by state: "), "the censuses are in the report")
    }
}
