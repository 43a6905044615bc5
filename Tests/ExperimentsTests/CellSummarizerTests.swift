import XCTest
import IPVSControl
import LoadGen
import Results
@testable import Experiments

final class CellSummarizerTests: XCTestCase {
    private func repeatWith(rps: UInt64, direct: UInt64, counts: [String: UInt64], conns: [Int],
                            outPackets: Int = 0) -> RepeatMeasurement {
        RepeatMeasurement(
            balanced: FakeLoad.report(requests: rps * 2, duration: 2, perServer: counts),
            direct: FakeLoad.report(requests: direct * 2, duration: 2, perServer: ["real1": direct * 2]),
            counters: WindowCounters(traffic: BalancerCounters(conns: 0, inPackets: 1000, outPackets: UInt64(outPackets), inBytes: 64_000, outBytes: 0),
                                     softirqPercent: 20, busyPercent: 40, realConnections: conns))
    }

    func testMediansSharesAndDirectorSums() throws {
        let spec = CellSpec(mode: .dr, scheduler: .wrr, profile: "default", weights: [5, 5, 1, 1], load: .http,
                            connections: 24)
        let counts: [String: UInt64] = ["real1": 500, "real2": 500, "real3": 100, "real4": 100]
        let m = CellMeasurement(spec: spec, realNames: ["real1", "real2", "real3", "real4"], windowSeconds: 2,
                                repeats: [repeatWith(rps: 1000, direct: 4000, counts: counts, conns: [5, 5, 1, 1]),
                                          repeatWith(rps: 1200, direct: 4000, counts: counts, conns: [5, 5, 1, 1]),
                                          repeatWith(rps: 900, direct: 3000, counts: counts, conns: [5, 5, 1, 1])])
        let cell = CellSummarizer.cell(m)
        XCTAssertEqual(cell.mode, .dr)
        XCTAssertEqual(cell.scheduler, .wrr)
        XCTAssertEqual(cell.reals, 4)
        XCTAssertEqual(cell.rps, 1000)
        XCTAssertEqual(cell.directRPS, 4000)
        XCTAssertEqual(cell.lbOverheadRatio, 0.3, accuracy: 1e-9, "median of per-repeat ratios 0.25, 0.3, 0.3")
        XCTAssertEqual(cell.repeats.count, 3)
        XCTAssertEqual(cell.perReal.map(\.weight), [5, 5, 1, 1])
        XCTAssertEqual(cell.perReal[0].expectedShare, 5.0 / 12, accuracy: 1e-9)
        XCTAssertEqual(cell.perReal[0].observedShare, 5.0 / 12, accuracy: 1e-9)
        XCTAssertEqual(cell.perReal.map(\.ipvsConns), [15, 15, 3, 3])
        XCTAssertEqual(cell.perReal[3].observedShare, 3.0 / 36, accuracy: 1e-9, "connections, not requests")
        XCTAssertEqual(cell.director.inPkts, 3000)
        XCTAssertEqual(cell.director.outPkts, 0)
        XCTAssertEqual(cell.director.windowSeconds, 6)
        XCTAssertEqual(cell.director.cpuSoftirqPct, 20)
        XCTAssertEqual(cell.director.cpuBusyPct, 40)
        XCTAssertEqual(cell.errors.total, 0)
    }

    func testRequestCountsStandInWhenIPVSCountedNoConnections() throws {
        let spec = CellSpec(mode: .nat, scheduler: .rr, profile: "default", weights: [1, 1], load: .http,
                            connections: 16)
        let m = CellMeasurement(spec: spec, realNames: ["real1", "real2"], windowSeconds: 2,
                                repeats: [repeatWith(rps: 100, direct: 400, counts: ["real1": 150, "real2": 50],
                                                     conns: [0, 0], outPackets: 900)])
        let cell = CellSummarizer.cell(m)
        XCTAssertEqual(cell.perReal.map(\.observedShare), [0.75, 0.25])
        XCTAssertEqual(cell.perReal.map(\.expectedShare), [0.5, 0.5])
        XCTAssertEqual(cell.director.outPkts, 900)
    }

    func testHashingSchedulersGetTheirNominalSplit() {
        XCTAssertEqual(CellSummarizer.expectedShares(scheduler: .sh, weights: [1, 0, 3]), [0.5, 0, 0.5])
        XCTAssertEqual(CellSummarizer.expectedShares(scheduler: .mh, weights: [1, 0, 3]), [0.25, 0, 0.75])
    }
}
