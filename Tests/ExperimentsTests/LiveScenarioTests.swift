import Foundation
import SystemKit
import TestSupport
import XCTest

/// `lvsbench scenario` against real labs (a UML director here), with short timelines that
/// still decide each scenario's direction. Needs root.
final class LiveScenarioTests: LiveScenarioTestCase {
    override class var prefix: String { TestPrefix.named("Es") }

    /// New connections keep going to a dead real until it is quiesced: with weight 0 the
    /// scheduler chooses it for none. In TUN a reused client port may still follow its old
    /// entry to it (conn_reuse_mode=1 does not reschedule it there): those SYNs are counted
    /// apart, and only where there were none must the service recover.
    func testDeadRealWeightZeroSendsNoNewConnectionsWhereNothingKeepsSending() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        // TUN: the wire count must see the SYNs inside the director's IPIP packets too (the
        // other scenarios' tests cover NAT and DR).
        let run = try scenario(["dead-real", "--mode", "tun", "--variants", "nothing,weight-0", "--load", "http-close",
                                "--duration", "6s", "--fault-at", "2s", "--rate", "300", "-c", "20"])
        let nothing = Self.metrics(run.variants["nothing/http-close"])
        let weight0 = Self.metrics(run.variants["weight-0/http-close"])
        XCTAssertGreaterThan(nothing["scheduled_to_faulty_real"] as? Int ?? 0, 0, "rr keeps scheduling to the dead real")
        XCTAssertEqual(nothing["scheduled_source"] as? String, "wire")
        XCTAssertEqual(weight0["scheduled_source"] as? String, "wire")
        XCTAssertGreaterThan(nothing["failed_after_fault"] as? Int ?? 0, 0, "and the client loses requests")
        let repeated = weight0["repeated_syns_to_faulty_real"] as? Int ?? 0
        XCTAssertEqual(weight0["scheduled_to_faulty_real"] as? Int, repeated, "weight 0: the scheduler sends the real nothing")
        if repeated == 0 { XCTAssertNotNil(weight0["recovery_s"] as? Double, "weight 0: the service recovers") }
        XCTAssertLessThan(weight0["failed_after_fault"] as? Int ?? .max, nothing["failed_after_fault"] as? Int ?? 0)
        let verdicts = run.findings.map { $0["verdict"] as? String ?? "" }
        XCTAssertEqual(Array(verdicts.prefix(2)), ["shown", "shown"], "\(run.findings)")
        let md = try String(contentsOfFile: run.dir + "/report.md", encoding: .utf8)
        XCTAssertTrue(md.contains("## Findings"))
    }
}
