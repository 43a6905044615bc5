import Foundation
import SystemKit
import TestSupport
import XCTest

/// The built `lvsbench` beside the test bundle (or under .build/debug), run with its own
/// namespace prefix and run directory so tests never touch anyone else's labs.
enum CLI {
    static var path: String { BuiltBinary.lvsbench }
    static var packageRoot: URL { BuiltBinary.packageRoot }

    static func environment(prefix: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["LVSBENCH_PREFIX"] = prefix
        env["LVSBENCH_RUN_DIR"] = runDirectory(prefix: prefix)
        env["LVSBENCH_PROFILES"] = packageRoot.appendingPathComponent("profiles").path
        return env
    }

    static func runDirectory(prefix: String) -> String { "/run/lvsbench-\(prefix)" }

    /// Removes the tests' lab state directory once every lab in it is down (nothing of a
    /// lab that failed to come down is deleted: `lab down --all` must see it).
    static func removeRunDirectory(prefix: String) {
        let labs = runDirectory(prefix: prefix) + "/labs"
        guard ((try? FileManager.default.contentsOfDirectory(atPath: labs)) ?? []).isEmpty else { return }
        try? FileManager.default.removeItem(atPath: runDirectory(prefix: prefix))
    }

    static func run(_ argv: [String], prefix: String, timeout: Double) throws -> ProcessResult {
        try ProcessRunner.run([path] + argv, timeout: timeout, environment: environment(prefix: prefix))
    }

    /// Namespaces whose name starts with `<prefix>-`.
    static func namespaces(prefix: String) throws -> [String] {
        try ProcessRunner.check(["ip", "netns", "list"]).stdout.split(separator: "\n")
            .compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix(prefix + "-") }
    }

    static func summaryHasCells(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cells = json["cells"] as? [Any] else { return false }
        return !cells.isEmpty
    }
}

/// Validates a summary.json against the published schema with python3's jsonschema (the
/// report branch's validator); skips when jsonschema is not installed.
enum SchemaCheck {
    static let script = #"""
    import json, sys
    from jsonschema import Draft202012Validator
    schema = json.load(open(sys.argv[1]))
    errors = list(Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
    for e in errors:
        print("/".join(str(p) for p in e.path) + ": " + e.message)
    sys.exit(1 if errors else 0)
    """#

    static func validate(summary: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let probe = try ProcessRunner.run(["python3", "-c", "import jsonschema"])
        try XCTSkipUnless(probe.succeeded, "python3 jsonschema missing: run scripts/setup.sh")
        let schema = CLI.packageRoot.appendingPathComponent("results/schema/summary.schema.json").path
        let r = try ProcessRunner.run(["python3", "-", schema, summary], input: Data(script.utf8))
        XCTAssertTrue(r.succeeded, "summary.json does not validate: \(r.stdout)\(r.stderr)", file: file, line: line)
    }
}
