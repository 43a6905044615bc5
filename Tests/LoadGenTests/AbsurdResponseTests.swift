import Foundation
import LoadGen
import SystemKit
import TestSupport
import XCTest

/// A server answering with a length no real server sends (it used to overflow the parser
/// and kill `lvsbench load`): each such response is a read error and the run reports.
final class AbsurdResponseTests: XCTestCase {
    static let lengths = ["99999999999999999999", "18446744073709551616", "-1", "9223372036854775808"]

    func testAbsurdContentLengthIsAReadErrorInProcess() throws {
        for length in Self.lengths {
            let server = try TestServer { fd, _ in
                send(fd, "HTTP/1.1 200 OK\r\nContent-Length: \(length)\r\n\r\nbody")
            }
            defer { server.stop() }
            let options = try LoadOptions(target: .parse("http://127.0.0.1:\(server.port)/"), connections: 2,
                                          duration: 0.3, threads: 1, timeout: 1)
            let report = try LoadGenerator.run(options)
            XCTAssertEqual(report.requests, 0, length)
            XCTAssertGreaterThan(report.errors.read, 0, length)
        }
    }

    func testLoadCommandSurvivesAnOverflowingChunkSizeAndContentLength() throws {
        for head in ["Content-Length: 99999999999999999999", "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffffffff"] {
            let server = try TestServer { fd, _ in send(fd, "HTTP/1.1 200 OK\r\n\(head)\r\n\r\n") }
            defer { server.stop() }
            let r = try ProcessRunner.run([BuiltBinary.lvsbench, "load", "http://127.0.0.1:\(server.port)/",
                                           "-c", "2", "-d", "300ms", "--timeout", "1s", "--json"], timeout: 30)
            XCTAssertEqual(r.status, 0, "\(head): \(r.stderr)")
            let report = try JSONCoding.decode(LoadReport.self, from: Data(r.stdout.utf8))
            XCTAssertGreaterThan(report.errors.read, 0, head)
            XCTAssertEqual(report.requests, 0, head)
        }
    }

    /// Any clock difference converts to a recordable latency (no overflow at the top).
    func testEveryClockDifferenceIsARecordableLatency() {
        XCTAssertEqual(LatencyHistogram.microseconds(0), 1)
        XCTAssertEqual(LatencyHistogram.microseconds(1001), 2)
        XCTAssertEqual(LatencyHistogram.microseconds(2000), 2)
        XCTAssertEqual(LatencyHistogram.microseconds(UInt64.max), LatencyHistogram.maxMicroseconds)
    }
}
