import Foundation
import SystemKit
import TestSupport
import XCTest

/// `lvsbench scenario port-reuse` against a real lab (a UML director here), short: the
/// direction of kubernetes#81775 on this kernel. Needs root.
final class LivePortReuseScenarioTests: LiveScenarioTestCase {
    override class var prefix: String { TestPrefix.named("Er") }

    /// Responses from real2 in the intervals wholly after its weight went to 0 and before
    /// the second event, and all responses then.
    static func answeredAfterChange(_ v: [String: Any]?) -> (real2: Int, all: Int) {
        let events = v?["events"] as? [[String: Any]] ?? []
        guard events.count == 2, let done = events[0]["done_t"] as? Double, let horizon = events[1]["t"] as? Double,
              let width = v?["interval_s"] as? Double else { return (0, 0) }
        let window = (v?["client"] as? [[String: Any]] ?? []).filter {
            let t = $0["t"] as? Double ?? -1
            return t >= done && t + width <= horizon
        }
        return (window.reduce(0) { $0 + (($1["per_real"] as? [String: Int])?["real2"] ?? 0) },
                window.reduce(0) { $0 + ($1["ok"] as? Int ?? 0) })
    }

    /// Under conn_reuse_mode 0 reused ports ride their old entries to real2 after its weight
    /// went to 0; under mode 1 they are rescheduled and real2 gets (almost) nothing.
    func testMode0KeepsSendingReusedPortsToAWeightZeroRealWhereMode1DoesNot() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        let run = try scenario(["port-reuse", "--variants", "mode-0,mode-1", "--duration", "6s", "--fault-at", "2s"])
        let zero = Self.answeredAfterChange(run.variants["mode-0/http-close"])
        let one = Self.answeredAfterChange(run.variants["mode-1/http-close"])
        XCTAssertGreaterThan(zero.all, 100, "the load ran after the change")
        XCTAssertGreaterThan(one.all, 100, "the load ran after the change")
        XCTAssertGreaterThan(zero.real2, zero.all / 10, "mode 0: reused ports keep reaching the weight-0 real")
        XCTAssertLessThan(one.real2 * 10, zero.real2, "mode 1: the weight-0 real gets a small fraction of what mode 0 sends it")
        for f in run.findings { print("finding [\(f["verdict"] ?? "")] \(f["evidence"] ?? "")") }
        let verdicts = run.findings.map { $0["verdict"] as? String ?? "" }
        XCTAssertEqual(verdicts.count, 4)
        XCTAssertEqual(verdicts[2], "shown", "kubernetes#81775's direction: \(run.findings[2])")
    }
}
