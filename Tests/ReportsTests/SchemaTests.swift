import Foundation
import Results
import SystemKit
import XCTest

/// summary.json against the published schema, with python3's jsonschema (Draft 2020-12).
final class SchemaTests: XCTestCase {
    static let validator = #"""
    import json, sys
    from jsonschema import Draft202012Validator
    schema = json.load(open(sys.argv[1]))
    Draft202012Validator.check_schema(schema)
    errors = sorted(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
                    .iter_errors(json.load(open(sys.argv[2]))), key=lambda e: list(e.path))
    for e in errors:
        print("/".join(str(p) for p in e.path) + ": " + e.message)
    sys.exit(1 if errors else 0)
    """#

    var root: URL!

    override func setUpWithError() throws {
        let probe = try ProcessRunner.run(["python3", "-c", "import jsonschema"])
        try XCTSkipUnless(probe.succeeded, "python3 jsonschema missing: run scripts/setup.sh")
        root = try SyntheticSummary.tempDir()
    }

    override func tearDownWithError() throws { if let root { try? FileManager.default.removeItem(at: root) } }

    var schemaPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("results/schema/summary.schema.json").path
    }

    func validate(_ data: Data) throws -> ProcessResult {
        let file = root.appendingPathComponent("summary-\(UUID().uuidString).json")
        try data.write(to: file)
        return try ProcessRunner.run(["python3", "-", schemaPath, file.path], input: Data(Self.validator.utf8))
    }

    func testRunAndSweepSummariesValidate() throws {
        for summary in [SyntheticSummary.run(), SyntheticSummary.sweep()] {
            let result = try validate(try JSONCoding.encode(summary))
            XCTAssertTrue(result.succeeded, result.stdout + result.stderr)
        }
        var partial = SyntheticSummary.run()
        partial.complete = false
        partial.finishedAt = nil
        let result = try validate(try JSONCoding.encode(partial))
        XCTAssertTrue(result.succeeded, result.stdout + result.stderr)
    }

    func testSchemaRejectsWhatTheModelWouldNotWrite() throws {
        var json = try JSONSerialization.jsonObject(with: JSONCoding.encode(SyntheticSummary.run())) as! [String: Any]
        var cells = json["cells"] as! [[String: Any]]
        cells[0].removeValue(forKey: "direct_rps")
        cells[1]["unexpected"] = 1
        var plain = cells[2]["plain_forward"] as! [String: Any]
        plain["plain_rps"] = -1
        plain.removeValue(forKey: "us_per_packet_plain")
        cells[2]["plain_forward"] = plain
        json["cells"] = cells
        json["schema_version"] = 2
        let result = try validate(try JSONSerialization.data(withJSONObject: json))
        XCTAssertFalse(result.succeeded)
        XCTAssertTrue(result.stdout.contains("'direct_rps' is a required property"), result.stdout)
        XCTAssertTrue(result.stdout.contains("schema_version"), result.stdout)
        XCTAssertTrue(result.stdout.contains("unexpected"), result.stdout)
        XCTAssertTrue(result.stdout.contains("plain_forward: 'us_per_packet_plain' is a required property"), result.stdout)
        XCTAssertTrue(result.stdout.contains("plain_forward/plain_rps: -1 is less than the minimum of 0"), result.stdout)
    }

    func testPlainForwardCostIsInTheSchema() throws {
        let json = try JSONSerialization.jsonObject(with: JSONCoding.encode(SyntheticSummary.sweep())) as! [String: Any]
        let nat = (json["sweep"] as! [String: Any])["nat"] as! [String: Any]
        let point = (nat["points"] as! [[String: Any]])[0]["plain_forward"] as! [String: Any]
        XCTAssertEqual(point["ipvs_us_per_packet"] as? Double, 4)
        XCTAssertEqual(point["ipvs_us_per_conn"] as? Double, 70)
        let capacity = nat["capacity"] as! [String: Any]
        XCTAssertNotNil(capacity["reals_ipvs_alone"], "the capacity model carries what IPVS alone allows")
        let result = try validate(try JSONSerialization.data(withJSONObject: json))
        XCTAssertTrue(result.succeeded, result.stdout + result.stderr)
    }
}
