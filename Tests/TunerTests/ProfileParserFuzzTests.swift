import Foundation
import TestSupport
import XCTest
@testable import Tuner

/// The profiles shipped in profiles/, mutated and rebuilt from their own words: the parser
/// returns a profile that holds only well-formed keys and positive timeouts, or a
/// TunerError that names the file and a line inside it, in one line.
final class ProfileParserFuzzTests: XCTestCase {
    static let file = "/profiles/fuzzed.yaml"
    static let tokens = [": ", ":", "- ", "\n  ", "\n", "  ", "\t", "{", "}", "[", "]", ",", "&a ", "*a", "!!str ", "!!binary ",
                         "? ", "|", ">", "#", "'", "\"", "~", "null", "%YAML 1.1\n", "---\n", "...\n",
                         "sysctl:", "ipvs:", "timeouts:", "inherits:", "director:", "reals:", "net.ipv4.vs.", "<<: *a\n"]

    static func shippedProfiles() throws -> [String] {
        let dir = BuiltBinary.packageRoot.appendingPathComponent("profiles")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
            .map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }
    }

    /// Parses `text` and checks what came back; returns whether it parsed.
    static func check(_ text: String) throws {
        // YAML's lines: LF, CRLF and a lone CR each end one.
        let bytes = Array(text.utf8)
        let lines = 1 + bytes.indices.filter { bytes[$0] == 10 || (bytes[$0] == 13 && ($0 + 1 == bytes.count || bytes[$0 + 1] != 10)) }.count
        do {
            let profile = try ProfileParser.parse(text, file: file)
            XCTAssertFalse(profile.name.isEmpty)
            for (_, tuning) in profile.roles {
                for s in tuning.sysctl + tuning.ipvsSysctl {
                    XCTAssertTrue(SysctlKey.isWellFormed(s.key), "\(s.key) from \(fuzzExcerpt(text))")
                    XCTAssertFalse(s.value.isEmpty, "\(s.key) from \(fuzzExcerpt(text))")
                }
                XCTAssertTrue(tuning.ipvsSysctl.allSatisfy { $0.key.hasPrefix("net.ipv4.vs.") })
                if let t = tuning.ipvsTimeouts {
                    XCTAssertTrue([t.tcp, t.tcpfin, t.udp].allSatisfy { ($0 ?? 1) > 0 }, "\(t) from \(fuzzExcerpt(text))")
                }
            }
        } catch let error as TunerError {
            switch error {
            case let .syntax(file, line, _), let .invalidProfile(file, line, _):
                XCTAssertEqual(file, Self.file)
                XCTAssertTrue((1...lines + 1).contains(line), "line \(line) of \(lines): \(error) from \(fuzzExcerpt(text))")
                XCTAssertTrue(error.description.hasPrefix("\(Self.file):\(line): "), error.description)
                XCTAssertFalse(error.description.contains("\n"), "more than one line: \(error.description)")
            default:
                XCTFail("\(error) is not a syntax or profile error, from \(fuzzExcerpt(text))")
            }
            throw error
        }
    }

    func testMutatedAndGeneratedProfiles() throws {
        let seeds = try Self.shippedProfiles()
        XCTAssertGreaterThanOrEqual(seeds.count, 3)
        for text in seeds { XCTAssertNoThrow(try Self.check(text)) }
        var f = Fuzzer("profiles YAML", defaultSeed: 0x5941_4D4C)
        let tally = f.fuzzText(seeds, count: 2500, tokens: Self.tokens, parse: Self.check(_:), isTyped: { $0 is TunerError })
        print("profiles YAML: \(tally)")
        XCTAssertEqual(tally.failures, [])
        XCTAssertGreaterThan(tally.rejected, 250)
        XCTAssertGreaterThan(tally.parsed, 100)
    }

    /// Shapes random mutation rarely reaches: deep nesting, alias chains, huge numbers,
    /// NUL and control bytes.
    func testHostileShapesAreErrorsWithALine() {
        let nested = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        let deepMap = (0..<2000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
        let aliases = "a: &a [x, x]\n" + (1...20).map { "b\($0): &b\($0) [*\($0 == 1 ? "a" : "b\($0 - 1)"), *\($0 == 1 ? "a" : "b\($0 - 1)")]" }
            .joined(separator: "\n")
        let cases = [
            "director:\n  sysctl:\n    " + nested, "director: " + nested, deepMap, "director:\n" + deepMap, aliases,
            "director:\n  ipvs:\n    timeouts: {tcp: 99999999999999999999}", "director:\n  ipvs:\n    timeouts: {tcp: -1}",
            "director:\n  ipvs:\n    timeouts: {tcp: 0x10}", 
            "name: \u{0}", "\u{FEFF}name: x\u{0}\u{1}", "director:\n  sysctl:\n    net.ipv4.x: [[1, 2], 3]",
            "director:\n  sysctl:\n    ../../etc/passwd: 1", "director:\n  sysctl:\n    net..x: 1",
            "director:\n  ipvs:\n    timeouts:\n      tcp: \"3\\n4\\r5\"", "director:\n  sysctl:\n    \"net.a\\nb\": 1",
            "director:\n  ipvs:\n    timeouts:\n      tcp: |\n        3\n        4\n",
        ]
        for text in cases {
            XCTAssertThrowsError(try Self.check(text), fuzzExcerpt(text, limit: 80)) { XCTAssertTrue($0 is TunerError, "\($0)") }
        }
    }
}
