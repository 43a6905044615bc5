import Foundation
import SystemKit
import TestSupport
import XCTest

/// `lvsbench scenario health-check` against a real lab: keepalived in the UML director
/// checks the reals and edits IPVS itself. A short timeline under new-connection load still
/// decides the direction: with the checker the killed real leaves IPVS and the losses stop
/// before it comes back; without one it stays and the losses go on. Needs root.
final class LiveHealthCheckScenarioTests: LiveScenarioTestCase {
    override class var prefix: String { TestPrefix.named("Hc") }

    /// Whether the real at `address` is in the service at each director sample, from the
    /// fault on (IPVS lists no count for a real that is not in the service).
    static func listed(_ variant: [String: Any]?, _ address: String) -> [Bool] {
        let fault = (variant?["events"] as? [[String: Any]])?.first?["t"] as? Double ?? 0
        return (variant?["director"] as? [[String: Any]] ?? []).filter { ($0["t"] as? Double ?? 0) >= fault }.map { sample in
            ((sample["reals"] as? [String: Any])?[address] as? [String: Any])?["scheduled"] != nil
        }
    }

    /// Requests lost in the client intervals that end within the second before the return.
    static func lostLastSecond(_ variant: [String: Any]?) -> Int {
        let back = (variant?["events"] as? [[String: Any]])?.dropFirst().first?["t"] as? Double ?? 0
        let width = variant?["interval_s"] as? Double ?? 0
        return (variant?["client"] as? [[String: Any]] ?? []).filter {
            let t = $0["t"] as? Double ?? 0
            return t >= back - 1 && t + width <= back
        }.reduce(0) { $0 + ($1["failed"] as? Int ?? 0) + ($1["timed_out"] as? Int ?? 0) }
    }

    func testKeepalivedTakesTheKilledRealOutAndTheLossesStopWhereWithoutItTheyGoOn() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        try XCTSkipUnless(ToolLocator.find("keepalived") != nil, "needs keepalived (scripts/setup.sh installs it)")
        let run = try scenario(["health-check", "--variants", "no-checker,fast", "--load", "http-close",
                                "--duration", "12s", "--fault-at", "2s", "--rate", "300", "-c", "20"], timeout: 600)
        run.findings.forEach { print("health-check finding: \($0["verdict"] ?? "") \($0["evidence"] ?? "")") }
        let none = run.variants["no-checker/http-close"], fast = run.variants["fast/http-close"]
        let real = try XCTUnwrap(Self.metrics(fast)["faulty_real"] as? String)
        let fastListed = Self.listed(fast, real), noneListed = Self.listed(none, real)
        XCTAssertFalse(noneListed.isEmpty)
        XCTAssertTrue(noneListed.allSatisfy { $0 }, "without a checker the dead real stays in IPVS")
        XCTAssertTrue(fastListed.contains(false), "keepalived takes the dead real out of IPVS")
        XCTAssertEqual(fastListed.last, true, "and puts it back once it answers again")
        XCTAssertGreaterThan(Self.lostLastSecond(none), 0, "without a checker requests are still lost just before the return")
        XCTAssertEqual(Self.lostLastSecond(fast), 0, "with the checker the losses have stopped by then")
        let verdict = run.findings.first?["verdict"] as? String
        XCTAssertEqual(verdict, "shown", "\(run.findings.first ?? [:])")
    }
}
