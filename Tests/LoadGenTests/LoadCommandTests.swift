import Foundation
import LoadGen
import SystemKit
import TestSupport
import XCTest

/// The CLI contract: bad input is one line on stderr and exit code 2, before any load.
final class LoadCommandTests: XCTestCase {
    var binary: URL { URL(fileURLWithPath: BuiltBinary.lvsbench) }

    func run(_ arguments: [String]) throws -> (status: Int32, stderr: String, stdout: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let err = Pipe(), out = Pipe()
        process.standardError = err
        process.standardOutput = out
        try process.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errData, as: UTF8.self), String(decoding: outData, as: UTF8.self))
    }

    func testBadInputIsOneLineAndExitTwo() throws {
        let cases: [[String]] = [
            ["load", "not a url"],
            ["load", "ftp://127.0.0.1/"],
            ["load", "http://127.0.0.1:99999/"],
            ["load", "tcp://127.0.0.1"],
            ["load", "http://127.0.0.1:1/", "-d", "0"],
            ["load", "http://127.0.0.1:1/", "-d", "-2s"],
            ["load", "http://127.0.0.1:1/", "-c", "0"],
            ["load", "http://127.0.0.1:1/", "-c", "-3"],
            ["load", "http://127.0.0.1:1/", "--rate"],
            ["load", "http://127.0.0.1:1/", "--rate", "fast"],
            ["load", "http://127.0.0.1:1/", "--rate", "0"],
            ["load", "tcp://127.0.0.1:1", "--request-size", "4"],
            // Issue 8: these died with SIGILL (132) and SIGABRT (134).
            ["load", "http://127.0.0.1:1/", "-d", "1s", "--rate", "1e-30"],
            ["load", "http://127.0.0.1:1/", "-d", "1000000h"],
            ["load", "http://127.0.0.1:1/", "--interval", "5ms"],
            ["load", "http://127.0.0.1:1/", "--interval", "2m"],
            ["load", "http://127.0.0.1:1/", "-d", "24h", "--interval", "10ms"],
        ]
        for arguments in cases {
            let result = try run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stdout.isEmpty, "\(arguments)")
        }
    }

    func testJSONDocumentHasTheInterfaceKeys() throws {
        let result = try run(["load", "http://127.0.0.1:\(TestServer.closedPort())/", "-d", "200ms", "-c", "1", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["requests", "duration_s", "rps", "connections_opened", "errors", "latency_us", "per_server", "timeline"] {
            XCTAssertNotNil(object[key], key)
        }
        let errors = try XCTUnwrap(object["errors"] as? [String: Any])
        XCTAssertEqual(Set(errors.keys), ["connect", "read", "write", "timeout", "status"])
        let latency = try XCTUnwrap(object["latency_us"] as? [String: Any])
        XCTAssertTrue(Set(latency.keys).isSuperset(of: ["p50", "p90", "p99", "p999", "max"]))
        XCTAssertGreaterThan(errors["connect"] as? Int ?? 0, 0)
        let report = try JSONCoding.decode(LoadReport.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(report.connections, 1)
        XCTAssertEqual(report.mode, "http-keepalive-closed-loop")
        for key in ["timeline_interval_s", "started_at_unix", "broken_connections"] { XCTAssertNotNil(object[key], key) }
        let point = try XCTUnwrap((object["timeline"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(point.keys), ["t", "requests", "errors", "connections_opened", "per_server"], "no latency without responses")
        XCTAssertEqual(report.broken_connections, 1)
        XCTAssertEqual(report.timeline_interval_s, 1)
        XCTAssertEqual(report.started_at_unix, Date().timeIntervalSince1970, accuracy: 60)
    }
}
