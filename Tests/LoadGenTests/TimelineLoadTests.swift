import Foundation
import XCTest
@testable import LoadGen

/// The timeline of a real run whose server goes away in the middle: the fault scenarios'
/// view (issue 12) of a real that dies under keep-alive load.
final class TimelineLoadTests: XCTestCase {
    func testServerStoppingMidRunShowsOnTheTimeline() throws {
        let server = try TestServer { fd, _ in LoadGeneratorTests.ok(fd, name: "real1") }
        var stopped = false
        defer { if !stopped { server.stop() } }
        let connections = 4, interval = 0.2
        let options = try LoadOptions(target: .parse("http://127.0.0.1:\(server.port)/"), connections: connections,
                                      duration: 2, threads: 2, timeout: 0.3, interval: interval)
        let box = ReportBox()
        let runner = Thread { box.set(Result { try LoadGenerator.run(options) }) }
        runner.start()
        Thread.sleep(forTimeInterval: 1.0)
        let stoppedAt = Date().timeIntervalSince1970
        server.stop()
        stopped = true
        let report = try box.wait().get()

        let stopIndex = Int((stoppedAt - report.started_at_unix) / interval)
        XCTAssertGreaterThan(stopIndex, 2, "the run should have started about a second before the stop")
        XCTAssertEqual(report.timeline_interval_s, interval)
        XCTAssertEqual(report.timeline.map(\.t), Array(0..<report.timeline.count))
        for point in report.timeline where point.t < stopIndex {
            XCTAssertGreaterThan(point.requests, 0, "interval \(point.t) before the stop")
            XCTAssertEqual(point.errors, LoadReport.Errors(), "interval \(point.t) before the stop")
            XCTAssertEqual(point.per_server, ["real1": point.requests])
            let latency = try XCTUnwrap(point.latency_us)
            XCTAssertLessThanOrEqual(latency.p50, latency.p99)
            XCTAssertLessThanOrEqual(latency.p99, latency.max)
        }
        let after = report.timeline.filter { $0.t >= stopIndex }
        XCTAssertGreaterThan(after.reduce(0) { $0 + $1.errors.transport }, 0)
        XCTAssertGreaterThan(after.reduce(0) { $0 + $1.errors.connect }, 0, "reconnects are refused after the stop")
        XCTAssertEqual(report.broken_connections, UInt64(connections))
        XCTAssertEqual(report.timeline.reduce(0) { $0 + $1.connections_opened }, report.connections_opened)
        XCTAssertEqual(report.timeline.reduce(0) { $0 + $1.requests }, report.requests)
        var errors = LoadReport.Errors()
        for point in report.timeline { errors += point.errors }
        XCTAssertEqual(errors, report.errors)
    }
}

/// Hands the run's result from the thread that ran it to the test.
private final class ReportBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<LoadReport, Error>?

    func set(_ value: Result<LoadReport, Error>) {
        condition.lock()
        result = value
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> Result<LoadReport, Error> {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return result!
    }
}
