import XCTest
@testable import LoadGen

/// Failures are counted by kind and the run goes on; nothing crashes or hangs.
final class LoadErrorTests: XCTestCase {
    func run(_ port: UInt16, duration: Double = 0.5, timeout: Double = 2) throws -> LoadReport {
        let options = try LoadOptions(target: .parse("http://127.0.0.1:\(port)/"), connections: 2,
                                      duration: duration, threads: 1, timeout: timeout)
        return try LoadGenerator.run(options)
    }

    func testServerDownCountsConnectErrors() throws {
        let report = try run(TestServer.closedPort())
        XCTAssertEqual(report.requests, 0)
        XCTAssertGreaterThan(report.errors.connect, 0)
        XCTAssertEqual(report.errors.read + report.errors.write + report.errors.timeout, 0)
    }

    func testServerClosingMidResponseCountsReadErrors() throws {
        let server = try TestServer { fd, _ in
            send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
            return false
        }
        defer { server.stop() }
        let report = try run(server.port)
        XCTAssertEqual(report.requests, 0)
        XCTAssertGreaterThan(report.errors.read, 0)
        XCTAssertEqual(report.errors.read, UInt64(server.requests))
    }

    func testNoAnswerCountsTimeouts() throws {
        let server = try TestServer { _, _ in true }
        defer { server.stop() }
        let report = try run(server.port, duration: 0.5, timeout: 0.2)
        XCTAssertEqual(report.requests, 0)
        XCTAssertGreaterThan(report.errors.timeout, 0)
        XCTAssertEqual(report.errors.connect + report.errors.write, 0)
    }

    func testServerErrorsCountAsStatusErrors() throws {
        let server = try TestServer { fd, _ in
            send(fd, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy")
        }
        defer { server.stop() }
        let report = try run(server.port)
        XCTAssertGreaterThan(report.requests, 0)
        XCTAssertEqual(report.errors.status, report.requests)
        XCTAssertEqual(report.status_classes.s5xx, report.requests)
        XCTAssertEqual(report.errors.transport, 0)
    }
}
