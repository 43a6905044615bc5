import Foundation
import SystemKit
import TestSupport
import XCTest

/// A two-point sweep against a real lab: the cap on each real must hold (a capped real
/// serves no more than its rate, whatever the director could do) and a second real must
/// add about a real's worth of throughput.
final class LiveSweepTests: XCTestCase {
    static let prefix = TestPrefix.named("Es")

    override func tearDownWithError() throws {
        if Privileges.isRoot {
            _ = try? ProcessRunner.run([CLI.path, "lab", "down", "--all"], environment: CLI.environment(prefix: Self.prefix))
            CLI.removeRunDirectory(prefix: Self.prefix)
        }
    }

    func testCappedRealsAddThroughputAndTheSweepIsRecorded() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lvsbench-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let cap = 200 * 1024
        let r = try CLI.run(["sweep", "--mode", "nat", "--reals", "1,2", "--real-rate", "200KB/s", "--duration", "2s",
                             "--warmup", "1s", "--out", root.path, "--name", "sweep", "--json"],
                            prefix: Self.prefix, timeout: 600)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try CLI.namespaces(prefix: Self.prefix), [], "no lab left behind")
        let outcome = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let dir = try XCTUnwrap(outcome["directory"] as? String)
        try SchemaCheck.validate(summary: dir + "/summary.json")
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any])
        let nat = try XCTUnwrap((summary["sweep"] as? [String: Any])?["nat"] as? [String: Any])
        let points = try XCTUnwrap(nat["points"] as? [[String: Any]])
        XCTAssertEqual(points.map { $0["reals"] as? Int }, [1, 2])
        let one = try XCTUnwrap(points[0]["bytes_per_s"] as? Double)
        let two = try XCTUnwrap(points[1]["bytes_per_s"] as? Double)
        // Response bytes seen by the client exclude TCP/IP headers, so they stay under the
        // link's cap; without the cap one real alone serves many times more here.
        XCTAssertGreaterThan(one, 0)
        XCTAssertLessThanOrEqual(one, Double(cap) * 1.05)
        XCTAssertGreaterThan(two, one * 1.5, "a second capped real adds most of a real's capacity")
        XCTAssertLessThanOrEqual(two, Double(cap) * 2 * 1.05, "real1 is capped again after the plain-forward reference")
        // Each point's plain-forward reference ran to real1 with its cap lifted: far above one capped real.
        for point in points {
            let plain = try XCTUnwrap(point["plain_forward"] as? [String: Any], "point without a plain-forward reference")
            let rps = try XCTUnwrap(point["rps"] as? Double)
            XCTAssertGreaterThan(plain["plain_rps"] as? Double ?? 0, rps * 2, "the reference ran uncapped (capped it would match one real)")
            XCTAssertGreaterThan(plain["us_per_packet_plain"] as? Double ?? 0, 0)
            XCTAssertNotNil(plain["ipvs_us_per_packet"] as? Double)
        }
    }
}
