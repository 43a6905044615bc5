import Foundation
import IPVSControl
import Lab
import SystemKit
import XCTest
@testable import Collector

/// The collector reads during its window and parses at `stop()`: what is parsed later must
/// be what was read then, and a failed read must keep its error.
final class NodeReadingTests: XCTestCase {
    func testFetchKeepsTheTextsAndParsingThemGivesTheSampleReadWouldHave() throws {
        let listing = "\(NodeReading.marker) ipvsadm-stats\nTCP 1 -> 2 conns 7\n"
        let parser: RealCountersParser = { _ in
            [RealReading](keyed: ["TCP 198.18.0.10:80 -> 198.18.1.2:80": BalancerCounters(conns: 7, inPackets: 1, outPackets: 1, inBytes: 1, outBytes: 1)])!
        }
        let sections = NodeReading.sections(try CounterRatesTests.batch() + listing)
        let director = ScriptedNode(role: .director, sections: sections)
        let raw = NodeReading.fetch(director, realCounters: parser, occasional: true)
        XCTAssertEqual(raw.sections?["/proc/net/snmp"], sections["/proc/net/snmp"], "kept as read, not parsed")
        XCTAssertEqual(raw.errors, [])
        XCTAssertNotNil(raw.readSeconds)

        var parsed = NodeReading.parse(raw, realCounters: parser)
        XCTAssertEqual(parsed.readSeconds, raw.readSeconds)
        var direct = NodeReading.read(director, realCounters: parser, occasional: true)
        (parsed.readSeconds, direct.readSeconds) = (nil, nil)
        XCTAssertEqual(parsed, direct)
        XCTAssertEqual(parsed.ipvs?.reals.keyed["TCP 198.18.0.10:80 -> 198.18.1.2:80"]?.conns, 7)
        XCTAssertEqual(parsed.ipvs?.connections?.byState["TIME_WAIT"], 63)
    }

    func testAFailedReadParsesToItsErrorAlone() {
        let raw = NodeReading.fetch(FailingNode(), realCounters: nil, occasional: false)
        XCTAssertNil(raw.sections)
        XCTAssertNil(raw.readSeconds)
        let sample = NodeReading.parse(raw, realCounters: nil)
        XCTAssertEqual(sample.node, "real9")
        XCTAssertEqual(sample.errors, ["real9: the node is gone"])
        XCTAssertEqual(sample.counters, [:])
        XCTAssertNil(sample.cpu)
    }

    /// Each sample's counters are the ones read at its tick, although all are parsed at the end.
    func testTheSeriesHoldsWhatEachTickRead() throws {
        let node = CountingNode()
        let collector = try Collector(nodes: [node], interval: 0.1, realCounters: nil)
        collector.start()
        while collector.sampleCount < 4 { usleep(20_000) }
        let series = collector.stop()
        let opens = series.samples.map { $0.nodes.first?.counters["Tcp.ActiveOpens"] }
        XCTAssertEqual(opens, (1...series.samples.count).map { Int64($0) })
        XCTAssertEqual(collector.parsedEarly, 0, "under the limit nothing is parsed before stop()")
    }

    /// Over `unparsedLimit` the oldest texts are parsed between ticks, and the series is
    /// the same: in order, each sample what its tick read.
    func testOverTheLimitTheOldestAreParsedBetweenTicks() throws {
        let node = CountingNode()
        let collector = try Collector(nodes: [node], interval: 0.1, realCounters: nil, unparsedLimit: 0)
        collector.start()
        while collector.sampleCount < 5 { usleep(20_000) }
        XCTAssertGreaterThan(collector.parsedEarly, 0, "parsed between ticks, not only at stop()")
        let series = collector.stop()
        let opens = series.samples.map { $0.nodes.first?.counters["Tcp.ActiveOpens"] }
        XCTAssertEqual(opens, (1...series.samples.count).map { Int64($0) })
    }
}

/// A node whose every read fails.
private struct FailingNode: LabNode {
    var name = "real9"
    var role = NodeRole.real
    func run(_ argv: [String], timeout: Double?) throws -> ProcessResult { throw RuntimeFailure("the node is gone") }
    func readFile(_ path: String) throws -> String { throw RuntimeFailure("the node is gone") }
    func readFiles(_ paths: [String]) throws -> [String: String] { throw RuntimeFailure("the node is gone") }
    func wrap(_ argv: [String]) -> [String] { argv }
}

/// A node whose `Tcp.ActiveOpens` is 1 at its first read, 2 at its second, and so on.
private final class CountingNode: LabNode, @unchecked Sendable {
    let name = "client"
    let role = NodeRole.client
    private let lock = NSLock()
    private var reads: Int64 = 0

    func run(_ argv: [String], timeout: Double?) throws -> ProcessResult { ProcessResult(status: 127, stdout: "", stderr: "") }
    func readFile(_ path: String) throws -> String { throw RuntimeFailure("\(path): not scripted") }
    func readFiles(_ paths: [String]) throws -> [String: String] {
        lock.lock()
        reads += 1
        let n = reads
        lock.unlock()
        return ["/proc/net/snmp": "Tcp: RtoAlgorithm ActiveOpens\nTcp: 1 \(n)\n"]
    }
    func wrap(_ argv: [String]) -> [String] { argv }
}
