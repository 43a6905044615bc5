import Collector
import Foundation
import IPVSControl
import XCTest
@testable import Experiments

/// samples.jsonl's lines, written by the recorder from typed samples, in the bytes the
/// format has always had; and the per-real connection counts the meter takes from them.
final class SampleLineTests: XCTestCase {
    static let http = VirtualService(address: "198.18.0.10", port: 80)

    static func director() -> NodeSample {
        var node = NodeSample(node: "director", role: .director)
        let real = RealReading(proto: "TCP", service: http, address: "198.18.1.2", port: 80,
                               counters: BalancerCounters(conns: 7, inPackets: 1, outPackets: 1, inBytes: 0, outBytes: 0))
        node.ipvs = IPVSSample(stats: IPVSProcStats(totals: BalancerCounters(conns: 1, inPackets: 2, outPackets: 3, inBytes: 4, outBytes: 5),
                                                    rates: .zero),
                               table: IPVSProcTable(services: []), connections: nil,
                               timeouts: ConnectionTimeouts(tcp: 900, tcpFin: 120, udp: 300), reals: [real])
        return node
    }

    func testLineBytesAreTheFormatsOwn() throws {
        let sample = Sample(elapsed: 1.5, time: Date(timeIntervalSince1970: 0), nodes: [Self.director()])
        let line = try ResultRecorder.jsonLine((label: "sweep-nat/4", repeatIndex: 2, sample: sample))
        let zero = #"{"conns":0,"inBytes":0,"inPackets":0,"outBytes":0,"outPackets":0}"#
        let expected = #"{"cell":"sweep-nat\/4","repeat":2,"sample":{"elapsed":1.5,"nodes":[{"counters":{},"errors":[],"interfaces":{},"#
            + #""ipvs":{"reals":{"TCP 198.18.0.10:80 -> 198.18.1.2:80":{"conns":7,"inBytes":0,"inPackets":1,"outBytes":0,"outPackets":1}},"#
            + #""stats":{"rates":\#(zero),"totals":{"conns":1,"inBytes":4,"inPackets":2,"outBytes":5,"outPackets":3}},"#
            + #""table":{"services":[]},"timeouts":{"tcp":900,"tcpFin":120,"udp":300}},"#
            + #""node":"director","role":"director","softnet":[]}],"time":"1970-01-01T00:00:00Z"}}"# + "\n"
        XCTAssertEqual(String(decoding: line, as: UTF8.self), expected)
    }

    func testSampleReadBackKeepsTheRealsTyped() throws {
        let series = TimeSeries(interval: 1, samples: [Sample(elapsed: 0, time: Date(timeIntervalSince1970: 0), nodes: [Self.director()])])
        let back = try TimeSeries.readJSONLines(try series.jsonLines())
        XCTAssertEqual(back, series)
        XCTAssertEqual(back.samples[0].nodes[0].ipvs?.reals.first?.address, "198.18.1.2")
    }

    func testConnectionsOfARealAreFoundByItsAddress() {
        func real(_ port: Int, _ address: String, _ conns: UInt64) -> RealReading {
            RealReading(proto: "TCP", service: VirtualService(address: "198.18.0.10", port: port), address: address, port: port,
                        counters: BalancerCounters(conns: conns, inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0))
        }
        let reals = [real(80, "198.18.1.2", 3), real(9000, "198.18.1.2", 4), real(80, "198.18.1.20", 50)]
        XCTAssertEqual(CollectorMeter.connections(reals, real: "198.18.1.2"), 7, "both services, not real .20")
        XCTAssertEqual(CollectorMeter.connections(reals, real: "198.18.1.20"), 50)
        XCTAssertEqual(CollectorMeter.connections(reals, real: "198.18.1.3"), 0)
        XCTAssertEqual(CollectorMeter.connections([real(80, "198.18.1.2", .max)], real: "198.18.1.2"), Int.max)
    }
}
