import Foundation
import XCTest
@testable import LoadGen

/// The per-interval timeline: bucket precision, interval accounting, old reports.
final class TimelineTests: XCTestCase {
    func exactPercentile(_ sorted: [UInt64], _ p: Double) -> UInt64 {
        sorted[max(1, Int((p / 100 * Double(sorted.count)).rounded(.up))) - 1]
    }

    func testBucketPercentilesAreWithinTheDocumentedPrecision() {
        // A long-tailed distribution over five decades (deterministic): 1 us to ~100 ms.
        var values: [UInt64] = []
        var state: UInt64 = 12345
        for _ in 0..<50_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(1 << 53)
            values.append(UInt64(pow(10, 5 * u * u)))
        }
        var buckets = LatencyBuckets()
        for v in values { buckets.record(v) }
        let sorted = values.sorted()
        for p in [1.0, 10, 50, 90, 99, 99.9] {
            let exact = Double(exactPercentile(sorted, p))
            let reported = Double(buckets.value(atPercentile: p))
            XCTAssertEqual(reported, exact, accuracy: max(exact / 32, 0), "p\(p)")
        }
        XCTAssertEqual(buckets.max, sorted.last)
        XCTAssertEqual(buckets.summary?.max, sorted.last)
        XCTAssertEqual(buckets.value(atPercentile: 100), sorted.last)
    }

    func testSmallValuesAreExactAndBucketBoundsAreContinuous() {
        var buckets = LatencyBuckets()
        for v: UInt64 in 1...31 { buckets.record(v) }
        XCTAssertEqual(buckets.value(atPercentile: 50), 16)
        var previous = 0
        for v: UInt64 in 1..<100_000 {
            let index = LatencyBuckets.index(v)
            XCTAssertTrue(index == previous || index == previous + 1, "\(v)")
            XCTAssertLessThanOrEqual(LatencyBuckets.lowerBound(index), v)
            XCTAssertLessThanOrEqual(abs(Double(LatencyBuckets.representative(index)) - Double(v)), Double(v) / 32)
            previous = index
        }
        XCTAssertEqual(LatencyBuckets.index(UInt64(UInt32.max)), LatencyBuckets.count - 1)
        XCTAssertLessThan(LatencyBuckets.index(LatencyHistogram.maxMicroseconds), LatencyBuckets.count)
    }

    func testCompactedBucketsMergeLikeTheFullOnes() {
        var a = LatencyBuckets(), b = LatencyBuckets(), both = LatencyBuckets()
        for v: UInt64 in [40, 41, 900, 5000] { a.record(v); both.record(v) }
        for v: UInt64 in [3, 70_000] { b.record(v); both.record(v) }
        var merged = LatencyBuckets()
        merged.add(a.compacted)
        merged.add(b.compacted)
        merged.add(LatencyBuckets().compacted)
        XCTAssertEqual(merged, both)
        XCTAssertLessThan(a.compacted.counts.count, LatencyBuckets.count)
        XCTAssertNil(LatencyBuckets().summary)
    }

    func testIntervalIndexFromTime() {
        let start: UInt64 = 5_000_000_000, length: UInt64 = 100_000_000
        XCTAssertEqual(IntervalRecord.index(at: start - 1, start: start, length: length), 0)
        XCTAssertEqual(IntervalRecord.index(at: start, start: start, length: length), 0)
        XCTAssertEqual(IntervalRecord.index(at: start + length - 1, start: start, length: length), 0)
        XCTAssertEqual(IntervalRecord.index(at: start + length, start: start, length: length), 1)
        XCTAssertEqual(IntervalRecord.index(at: start + 12 * length + 5, start: start, length: length), 12)
    }

    func testIntervalSumsEqualTheTotals() throws {
        let options = try LoadOptions(target: .parse("http://127.0.0.1:1/"), connections: 2, duration: 1, threads: 2,
                                      interval: 0.25)
        let name = Array("real1".utf8)
        var workers: [WorkerResult] = []
        for w in 0..<2 {
            var r = WorkerResult()
            for interval in [0, 1, 3] {
                if interval > 0 { r.endInterval(startingNext: interval) }
                for k in 0..<(10 * (w + 1) + interval) {
                    r.recordResponse(latencyNs: UInt64(100_000 * (k + 1)))
                    if k % 3 == 0 { name.withUnsafeBufferPointer { r.servers.count($0.baseAddress!, $0.count) } }
                }
                r.recordStatus(interval == 3 ? 503 : 200)
                r.errors.read &+= UInt64(interval)
                r.errors.timeout &+= UInt64(w)
                r.connectionsOpened &+= 1
            }
            r.endInterval(startingNext: nil)
            r.endNs = 900_000_000
            workers.append(r)
        }
        let report = LoadGenerator.merge(workers, options: options, startNs: 0, startedAtUnix: 1_700_000_000,
                                         usage: ResourceUsage(user: 0, system: 0))
        XCTAssertEqual(report.timeline.map(\.t), [0, 1, 2, 3])
        XCTAssertEqual(report.timeline_interval_s, 0.25)
        XCTAssertEqual(report.started_at_unix, 1_700_000_000)
        var errors = LoadReport.Errors(), perServer: [String: UInt64] = [:]
        for point in report.timeline {
            errors += point.errors
            perServer.merge(point.per_server, uniquingKeysWith: +)
        }
        XCTAssertEqual(report.timeline.reduce(0) { $0 + $1.requests }, report.requests)
        XCTAssertEqual(report.timeline.reduce(0) { $0 + $1.connections_opened }, report.connections_opened)
        XCTAssertEqual(errors, report.errors)
        XCTAssertEqual(perServer, report.per_server)
        XCTAssertEqual(report.timeline[1].requests, 11 + 21)
        XCTAssertEqual(report.timeline[3].errors, LoadReport.Errors(read: 6, timeout: 1, status: 2))
        XCTAssertEqual(report.timeline[2].requests, 0)
        XCTAssertNil(report.timeline[2].latency_us)
        // Interval 1 holds 100 us steps up to 2.1 ms: 11 and 21 of them.
        let latency = try XCTUnwrap(report.timeline[1].latency_us)
        XCTAssertEqual(latency.max, 2100)
        XCTAssertEqual(Double(latency.p99), 2100, accuracy: 2100 / 32)
    }

    func testReportsWithoutTheTimelineFieldsStillDecode() throws {
        let old = """
        {"requests":5,"duration_s":1,"rps":5,"connections_opened":1,
         "errors":{"connect":0,"read":0,"write":0,"timeout":0,"status":0},
         "latency_us":{"p50":1,"p90":2,"p99":3,"p999":4,"max":5,"mean":2},
         "per_server":{"real1":5},"timeline":[{"t":0,"requests":5}],
         "status_classes":{"1xx":0,"2xx":5,"3xx":0,"4xx":0,"5xx":0},
         "bytes_received":10,"bytes_sent":10,"cpu_user_s":0,"cpu_sys_s":0,"threads":1,"connections":1,
         "mode":"http-keepalive-closed-loop","target":"http://127.0.0.1/"}
        """
        let report = try JSONDecoder().decode(LoadReport.self, from: Data(old.utf8))
        XCTAssertEqual(report.timeline, [LoadReport.TimelinePoint(t: 0, requests: 5)])
        XCTAssertEqual(report.timeline_interval_s, 1)
        XCTAssertEqual(report.started_at_unix, 0)
        XCTAssertEqual(report.broken_connections, 0)
        XCTAssertNil(report.rate)
        let again = try JSONDecoder().decode(LoadReport.self, from: JSONEncoder().encode(report))
        XCTAssertEqual(again, report)
    }

    func testIntervalOutOfRangeIsRejected() throws {
        let target = try LoadTarget.parse("http://127.0.0.1:1/")
        for interval in [0.005, 61, .nan] {
            XCTAssertThrowsError(try LoadOptions(target: target, interval: interval), "\(interval)")
        }
        XCTAssertThrowsError(try LoadOptions(target: target, duration: 86_400, interval: 0.01))
        XCTAssertEqual(try LoadOptions(target: target, duration: 86_400).interval, 1)
        XCTAssertEqual(try LoadOptions(target: target, interval: 0.01).interval, 0.01)
    }
}
