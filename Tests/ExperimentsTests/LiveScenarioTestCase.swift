import Foundation
import SystemKit
import TestSupport
import XCTest

/// A live test class for `lvsbench scenario`: runs a scenario under the class's prefix and
/// checks what every scenario run must leave (exit 0, no lab behind, a valid summary, the
/// timeline), so each scenario's test asserts only its own direction.
class LiveScenarioTestCase: LiveCLITestCase {
    /// Runs a scenario and returns its summary's scenario section by variant name. `timeout`
    /// (seconds) bounds the whole CLI run: a scenario with one director fits in far less than
    /// the default, which leaves room for the two-guest failover.
    func scenario(_ argv: [String], timeout: TimeInterval = 900) throws -> (variants: [String: [String: Any]], findings: [[String: Any]], dir: String) {
        let out = root.appendingPathComponent("results").path
        let r = try CLI.run(["scenario"] + argv + ["--out", out, "--name", "live", "--json"], prefix: Self.prefix, timeout: timeout)
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
}
