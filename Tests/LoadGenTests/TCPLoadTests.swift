import XCTest
@testable import LoadGen

/// TCP_RR and TCP_CRR against a server speaking the lab responder's protocol.
final class TCPLoadTests: XCTestCase {
    func responder() throws -> (TestServer, NSLock, () -> [String: UInt64]) {
        let lock = NSLock()
        var served: [String: UInt64] = [:]
        let server = try TestServer(.responder) { fd, n in
            let name = "real\(n % 2 + 1)"
            lock.lock(); served[name, default: 0] += 1; lock.unlock()
            // 300 bytes: the size the test asks for; the name goes out in a write of its own.
            let body = responderResponse(name: name, size: 300)
            return send(fd, Array(body[0..<3])) && send(fd, Array(body[3...]))
        }
        return (server, lock, { lock.lock(); defer { lock.unlock() }; return served })
    }

    func run(_ port: UInt16, close: Bool) throws -> LoadReport {
        let options = try LoadOptions(target: .parse("tcp://127.0.0.1:\(port)"), connections: 3, duration: 1,
                                      threads: 2, close: close, requestSize: 100, responseSize: 300)
        return try LoadGenerator.run(options)
    }

    func testRequestResponseCountsMatchAndPerServer() throws {
        let (server, _, served) = try responder()
        defer { server.stop() }
        let report = try run(server.port, close: false)
        XCTAssertGreaterThan(report.requests, 0)
        XCTAssertEqual(report.requests, UInt64(server.requests))
        XCTAssertEqual(report.per_server, served())
        XCTAssertEqual(report.bytes_received, report.requests * 300)
        XCTAssertEqual(report.bytes_sent, report.requests * 100)
        XCTAssertEqual(report.connections_opened, 3)
        XCTAssertEqual(report.errors, LoadReport.Errors())
    }

    func testConnectRequestResponseClose() throws {
        let (server, _, served) = try responder()
        defer { server.stop() }
        let report = try run(server.port, close: true)
        XCTAssertGreaterThan(report.requests, 0)
        XCTAssertEqual(report.requests, UInt64(server.requests))
        XCTAssertEqual(report.connections_opened, report.requests)
        XCTAssertEqual(report.per_server, served())
        XCTAssertEqual(report.errors, LoadReport.Errors())
        XCTAssertTrue(report.mode.hasPrefix("tcp-close"))
    }
}
