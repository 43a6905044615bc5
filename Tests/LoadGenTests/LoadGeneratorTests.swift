import XCTest
@testable import LoadGen

/// Runs the generator against servers the test starts and compares what both sides counted.
final class LoadGeneratorTests: XCTestCase {
    static func ok(_ fd: Int32, name: String) -> Bool {
        send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Real-Server: \(name)\r\n\r\nhello")
    }

    func run(_ port: UInt16, path: String = "/", connections: Int = 4, duration: Double = 1,
             close: Bool = false, rate: Double? = nil, timeout: Double = 2) throws -> LoadReport {
        let options = try LoadOptions(target: .parse("http://127.0.0.1:\(port)\(path)"), connections: connections,
                                      duration: duration, threads: 2, rate: rate, close: close, timeout: timeout)
        return try LoadGenerator.run(options)
    }

    func assertLatencyOrdered(_ report: LoadReport, file: StaticString = #filePath, line: UInt = #line) {
        let l = report.latency_us
        XCTAssertGreaterThan(l.p50, 0, file: file, line: line)
        XCTAssertLessThanOrEqual(l.p50, l.p90, file: file, line: line)
        XCTAssertLessThanOrEqual(l.p90, l.p99, file: file, line: line)
        XCTAssertLessThanOrEqual(l.p99, l.p999, file: file, line: line)
        XCTAssertLessThanOrEqual(l.p999, l.max, file: file, line: line)
    }

    func testKeepAliveRequestsMatchTheServerCount() throws {
        let server = try TestServer { fd, _ in Self.ok(fd, name: "real1") }
        defer { server.stop() }
        let report = try run(server.port)
        XCTAssertGreaterThan(report.requests, 0)
        XCTAssertEqual(report.requests, UInt64(server.requests))
        XCTAssertEqual(report.errors, LoadReport.Errors())
        XCTAssertEqual(report.connections_opened, 4)
        XCTAssertEqual(report.status_classes.s2xx, report.requests)
        XCTAssertEqual(report.timeline.reduce(0) { $0 + $1.requests }, report.requests)
        assertLatencyOrdered(report)
    }

    func testCloseModeOpensAConnectionPerRequest() throws {
        let server = try TestServer { fd, _ in
            send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            return false
        }
        defer { server.stop() }
        let report = try run(server.port, close: true)
        XCTAssertGreaterThan(report.requests, 0)
        XCTAssertEqual(report.requests, UInt64(server.requests))
        XCTAssertEqual(report.connections_opened, report.requests)
        XCTAssertEqual(report.errors, LoadReport.Errors())
        assertLatencyOrdered(report)
    }

    func testKeepAliveReconnectsWhenTheServerClosesWithoutErrors() throws {
        let server = try TestServer { fd, n in
            if n % 5 == 4 {
                send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                return false
            }
            return Self.ok(fd, name: "real1")
        }
        defer { server.stop() }
        let report = try run(server.port)
        XCTAssertGreaterThan(report.requests, 0)
        XCTAssertEqual(report.requests, UInt64(server.requests))
        XCTAssertEqual(report.errors, LoadReport.Errors())
        XCTAssertGreaterThan(report.connections_opened, 4)
    }

    func testOpenLoopSurvivesIdleConnectionsClosedByTheServer() throws {
        // The server closes every connection right after its response (without saying so);
        // between two open-loop requests (100 ms apart per connection, ample time for the
        // server's close to arrive) the generator sees the close and reconnects.
        let server = try TestServer { fd, _ in
            send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            return false
        }
        defer { server.stop() }
        let report = try run(server.port, connections: 2, duration: 1, rate: 20)
        XCTAssertEqual(report.requests, UInt64(server.requests))
        XCTAssertEqual(report.errors.transport, 0, "\(report.errors)")
        XCTAssertEqual(report.connections_opened, report.requests)
    }

    func testResponsesAreCountedPerRealServer() throws {
        let names = ["real1", "Real-Two", "r3"]
        let lock = NSLock()
        var served: [String: UInt64] = [:]
        let server = try TestServer { fd, n in
            let name = names[n % names.count]
            lock.lock(); served[name, default: 0] += 1; lock.unlock()
            // Header name in another case and a response without the header.
            return n % 7 == 6
                ? send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                : send(fd, "HTTP/1.1 200 OK\r\nx-REAL-server:  \(name) \r\nContent-Length: 1\r\n\r\n.")
        }
        defer { server.stop() }
        let report = try run(server.port)
        var expected: [String: UInt64] = [:]
        for n in 0..<server.requests where n % 7 != 6 { expected[names[n % names.count], default: 0] += 1 }
        XCTAssertEqual(report.per_server, expected)
        lock.lock(); defer { lock.unlock() }
        XCTAssertEqual(served.values.reduce(0, +), report.requests)
    }

    func testChunkedBodiesSplitAcrossWritesAreParsed() throws {
        let server = try TestServer { fd, n in
            let pieces = ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Real-Server: c\r\n\r\n",
                          "5\r\nhel", "lo\r\n1", "0;ext=1\r\n0123456789ABCDEF\r\n", "0\r\nTrailer: x\r\n\r\n"]
            for piece in pieces {
                guard send(fd, piece) else { return false }
                if n % 50 == 0 { usleep(1_000) }
            }
            return true
        }
        defer { server.stop() }
        let report = try run(server.port, connections: 2)
        XCTAssertGreaterThan(report.requests, 0)
        XCTAssertEqual(report.requests, UInt64(server.requests))
        XCTAssertEqual(report.errors, LoadReport.Errors())
        XCTAssertEqual(report.per_server, ["c": report.requests])
    }

    func testOpenLoopHoldsTheRate() throws {
        let server = try TestServer { fd, _ in Self.ok(fd, name: "real1") }
        defer { server.stop() }
        let report = try run(server.port, connections: 4, duration: 3, rate: 200)
        XCTAssertEqual(report.rps, 200, accuracy: 10, "--rate 200 must hold within 5%")
        XCTAssertEqual(report.requests, UInt64(server.requests))
        XCTAssertEqual(report.rate, 200)
        assertLatencyOrdered(report)
    }
}
