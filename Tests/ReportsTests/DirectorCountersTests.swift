import Balancing
import Foundation
import Results
import XCTest

/// The summary's director block holds the balancer's counters but keeps its own JSON keys.
final class DirectorCountersTests: XCTestCase {
    func testJSONKeepsTheSummarysKeysAndReadsBack() throws {
        let traffic = BalancerCounters(conns: 9, inPackets: 1200, outPackets: 800, inBytes: 96_000, outBytes: 640_000)
        let d = DirectorCounters(traffic: traffic, cpuSoftirqPct: 12.5, cpuBusyPct: 40, windowSeconds: 4)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(d), as: UTF8.self)
        XCTAssertEqual(json, #"{"cpu_busy_pct":40,"cpu_softirq_pct":12.5,"in_bytes":96000,"in_pkts":1200,"out_bytes":640000,"#
                       + #""out_pkts":800,"window_s":4}"#)
        XCTAssertEqual(try JSONDecoder().decode(DirectorCounters.self, from: Data(json.utf8)), d)
        XCTAssertEqual(d.traffic.conns, 0, "connections are not part of the block")
        XCTAssertEqual(d.inPkts, 1200)
        XCTAssertEqual(d.packetsPerSecond, 500)
        XCTAssertEqual(d, DirectorCounters(inPkts: 1200, outPkts: 800, inBytes: 96_000, outBytes: 640_000,
                                           cpuSoftirqPct: 12.5, cpuBusyPct: 40, windowSeconds: 4))
    }
}
