import Collector
import Foundation
import IPVSControl
import Lab
import LoadGen
import Results
import XCTest
@testable import Experiments

/// The plain-forward reference's arithmetic: director CPU per packet and per connection with
/// and without IPVS, their difference, and the reading of the director's samples.
final class PlainForwardTests: XCTestCase {
    private func plainWindow(busy: Double, seconds: Double, packets: Int, requests: UInt64,
                             close: Bool = false) -> PlainForwardWindow {
        PlainForwardWindow(load: FakeLoad.report(requests: requests, duration: seconds, perServer: ["real1": requests],
                                                 close: close),
                           director: DirectorReading(busyPercent: busy, seconds: seconds, packets: packets))
    }

    private func repeatMeasurement(ipvsBusy: Double, ipvsPackets: Int, rps: UInt64, close: Bool,
                                   plain: [PlainForwardWindow], bypass: Int? = 0) -> RepeatMeasurement {
        RepeatMeasurement(
            balanced: FakeLoad.report(requests: rps * 2, duration: 2, perServer: ["real1": rps * 2], close: close),
            direct: FakeLoad.report(requests: 8000, duration: 1, perServer: ["real1": 8000]),
            counters: WindowCounters(traffic: BalancerCounters(conns: 0, inPackets: 1000, outPackets: 0, inBytes: 0, outBytes: 0), softirqPercent: 0,
                                     busyPercent: ipvsBusy, realConnections: [1],
                                     director: DirectorReading(busyPercent: ipvsBusy, seconds: 2, packets: ipvsPackets),
                                     ipvsPacketsDuringReference: bypass),
            directAfter: FakeLoad.report(requests: 6000, duration: 1, perServer: ["real1": 6000]),
            plain: plain)
    }

    func testMicrosecondsPerUnit() {
        // 80% of one CPU for 2 s over 40,000 packets: 1.6 s of CPU / 40,000 = 40 µs.
        XCTAssertEqual(ForwardCost.microseconds(busyPercent: 80, seconds: 2, count: 40_000), 40, accuracy: 1e-9)
        XCTAssertEqual(ForwardCost.microseconds(busyPercent: 150, seconds: 1, count: 1_000_000), 1, accuracy: 1e-9,
                       "busy is clamped to one CPU")
        XCTAssertEqual(ForwardCost.microseconds(busyPercent: 50, seconds: 1, count: 0), 0)
    }

    func testPooledStretchesWeighByTheirLength() throws {
        let a = ForwardWindow(busyPercent: 100, seconds: 1, packets: 10_000, connections: 100, rps: 1000, loadSeconds: 1)
        let b = ForwardWindow(busyPercent: 50, seconds: 3, packets: 30_000, connections: 300, rps: 2000, loadSeconds: 3)
        let p = try XCTUnwrap(ForwardWindow.pooled([a, b]))
        XCTAssertEqual(p.seconds, 4)
        XCTAssertEqual(p.packets, 40_000)
        XCTAssertEqual(p.busyPercent, 62.5, accuracy: 1e-9, "(1.0 + 1.5) s of CPU over 4 s")
        XCTAssertEqual(p.rps, 1750, accuracy: 1e-9)
        XCTAssertEqual(p.usPerPacket, 62.5, accuracy: 1e-9)
        XCTAssertNil(ForwardWindow.pooled([]))
    }

    func testCellCostIsIPVSMinusPlainAndTheRatioIsPerRepeat() throws {
        let spec = CellSpec(mode: .nat, scheduler: .rr, profile: "default", weights: [1], load: .http, connections: 16)
        // Repeat 1: IPVS 90% of 2 s / 60,000 = 30 µs; plain (50% of 1 s) × 2 / 40,000 = 25 µs.
        // Repeat 2: IPVS 80% of 2 s / 40,000 = 40 µs; plain 40% of 2 s / 40,000 = 20 µs.
        let plain1 = [plainWindow(busy: 50, seconds: 1, packets: 20_000, requests: 4000),
                      plainWindow(busy: 50, seconds: 1, packets: 20_000, requests: 4000)]
        let plain2 = [plainWindow(busy: 40, seconds: 1, packets: 20_000, requests: 5000),
                      plainWindow(busy: 40, seconds: 1, packets: 20_000, requests: 5000)]
        let m = CellMeasurement(spec: spec, realNames: ["real1"], windowSeconds: 2, repeats: [
            repeatMeasurement(ipvsBusy: 90, ipvsPackets: 60_000, rps: 3000, close: false, plain: plain1),
            repeatMeasurement(ipvsBusy: 80, ipvsPackets: 40_000, rps: 2000, close: false, plain: plain2),
        ])
        let cell = CellSummarizer.cell(m)
        let cost = try XCTUnwrap(cell.plainForward)
        XCTAssertEqual(cost.usPerPacketIPVS, 35, accuracy: 1e-9, "median of 30 and 40")
        XCTAssertEqual(cost.usPerPacketPlain, 22.5, accuracy: 1e-9, "median of 25 and 20")
        XCTAssertEqual(cost.ipvsUsPerPacket, 12.5, accuracy: 1e-9)
        XCTAssertEqual(cost.plainRPS, 4500, accuracy: 1e-9)
        XCTAssertEqual(cost.ipvsToPlainRatio, (0.75 + 0.4) / 2, accuracy: 1e-9, "3000/4000 and 2000/5000")
        XCTAssertNil(cost.usPerConnIPVS)
        XCTAssertNil(cost.ipvsUsPerConn)
        XCTAssertEqual(cost.ipvsPacketsDuringPlain, 0)
        XCTAssertEqual(cell.directRPS, 7000, "the direct path before and after the window, averaged")
    }

    func testPerConnectionCostForLoadsThatCloseConnections() throws {
        let spec = CellSpec(mode: .dr, scheduler: .rr, profile: "default", weights: [1], load: .httpClose,
                            connections: 16)
        // IPVS: 2000 conn/s at 60% busy = 300 µs per connection; plain: 4000 conn/s at 80% = 200 µs.
        let plain = [plainWindow(busy: 80, seconds: 1, packets: 40_000, requests: 4000, close: true)]
        let m = CellMeasurement(spec: spec, realNames: ["real1"], windowSeconds: 2, repeats: [
            repeatMeasurement(ipvsBusy: 60, ipvsPackets: 40_000, rps: 2000, close: true, plain: plain, bypass: nil),
        ])
        let cost = try XCTUnwrap(CellSummarizer.cell(m).plainForward)
        XCTAssertEqual(try XCTUnwrap(cost.usPerConnIPVS), 300, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(cost.usPerConnPlain), 200, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(cost.ipvsUsPerConn), 100, accuracy: 1e-9)
        XCTAssertNil(cost.ipvsPacketsDuringPlain, "no settled reading: unknown, not zero")
    }

    func testNoReferenceWithoutPlainStretchesOrPackets() {
        let spec = CellSpec(mode: .nat, scheduler: .rr, profile: "default", weights: [1], load: .http, connections: 16)
        let none = CellMeasurement(spec: spec, realNames: ["real1"], windowSeconds: 2, repeats: [
            RepeatMeasurement(balanced: FakeLoad.report(requests: 10, duration: 1, perServer: [:]),
                              direct: FakeLoad.report(requests: 10, duration: 1, perServer: [:]),
                              counters: WindowCounters(traffic: BalancerCounters(conns: 0, inPackets: 1, outPackets: 1, inBytes: 1, outBytes: 1),
                                                       softirqPercent: 0, busyPercent: 1, realConnections: [0])),
        ])
        XCTAssertNil(CellSummarizer.cell(none).plainForward)
        let empty = CellMeasurement(spec: spec, realNames: ["real1"], windowSeconds: 2, repeats: [
            repeatMeasurement(ipvsBusy: 50, ipvsPackets: 1000, rps: 10, close: false,
                              plain: [plainWindow(busy: 5, seconds: 1, packets: 0, requests: 0)]),
        ])
        XCTAssertNil(CellSummarizer.cell(empty).plainForward, "a stretch that forwarded nothing measures nothing")
    }

    func testJSONCarriesTheDifferencesAndRoundTrips() throws {
        let cost = ForwardCost(plainRPS: 20_000, ipvsToPlainRatio: 0.8, usPerPacketIPVS: 30, usPerPacketPlain: 27,
                               usPerConnIPVS: 200, usPerConnPlain: 150, plainCPUPct: 99, ipvsPacketsDuringPlain: 0)
        let data = try JSONEncoder().encode(cost)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["ipvs_us_per_packet"] as? Double, 3)
        XCTAssertEqual(object["ipvs_us_per_conn"] as? Double, 50)
        XCTAssertEqual(try JSONDecoder().decode(ForwardCost.self, from: data), cost)
    }

    func testCapacityFromIPVSMarginalCost() throws {
        // 90% busy serving 2 MB/s at 30 µs per packet with IPVS, 25 µs without: IPVS alone
        // costs 5 µs, so one CPU spent only on IPVS serves 2/0.9 × 30/5 = 13.3 MB/s; at
        // 100 kB/s per real that is 133 reals. This director: 2 MB/s / 100 kB/s = 20.
        let cost = ForwardCost(plainRPS: 1, ipvsToPlainRatio: 1, usPerPacketIPVS: 30, usPerPacketPlain: 25,
                               usPerConnIPVS: nil, usPerConnPlain: nil, plainCPUPct: 99, ipvsPacketsDuringPlain: 0)
        let c = DirectorCapacity(packetsPerSecond: 30_000, bytesPerSecond: 3_000_000, servedBytesPerSecond: 2_000_000,
                                 connectionsPerSecond: 10, requestsPerSecond: 2000, cpuPct: 90,
                                 perRealBytesPerSecond: 120_000, perRealServedBytesPerSecond: 100_000, forwardCost: cost)
        XCTAssertEqual(try XCTUnwrap(c.realsAtPerRealRate), 20, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(c.ipvsMicrosecondsPerPacket), 5, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(c.realsIPVSAlone), 2_000_000 / 0.9 * 6 / 100_000, accuracy: 1e-6)
        var noisy = cost
        noisy.usPerPacketPlain = 31
        XCTAssertNil(DirectorCapacity.realsIPVSAlone(servedBytesPerSecond: 2_000_000, cpuPct: 90, cost: noisy,
                                                     perRealServedBytesPerSecond: 100_000),
                     "a marginal cost at or below zero is noise, not infinite capacity")
    }

    func testCapacityTakesTheMedianSaturatedPointsCost() throws {
        func point(_ reals: Int, ipvs: Double, plain: Double) -> SweepPoint {
            SweepPoint(reals: reals, rps: Double(reals) * 100, bytesPerSecond: 1, cps: 1, p99US: 1, directorPPS: 1,
                       directorBytesPerSecond: 1, directorCPUPct: 99,
                       plainForward: ForwardCost(plainRPS: 1, ipvsToPlainRatio: 1, usPerPacketIPVS: ipvs,
                                                 usPerPacketPlain: plain, usPerConnIPVS: nil, usPerConnPlain: nil,
                                                 plainCPUPct: 99, ipvsPacketsDuringPlain: nil))
        }
        // Below the knee (2 reals) the IPVS side idles: 100 µs there must not count.
        let points = [point(2, ipvs: 100, plain: 10), point(4, ipvs: 30, plain: 20), point(8, ipvs: 30, plain: 10),
                      point(16, ipvs: 30, plain: 27)]
        let chosen = try XCTUnwrap(DirectorCapacity.costPoint(points: points, kneeReals: 4))
        XCTAssertEqual(chosen.reals, 4, "costs 3, 10 and 20 µs at 16, 4 and 8 reals: the median is 10")
        XCTAssertNil(DirectorCapacity.costPoint(points: [point(2, ipvs: 1, plain: 0)], kneeReals: 4))
    }

    /// A plain-forward reference that left the director half idle (DR keep-alive: one real
    /// cannot load it) is no reference for a saturated IPVS point.
    func testCapacityIgnoresPointsWhosePlainSideDidNotSaturate() throws {
        func point(_ reals: Int, plainCPU: Double) -> SweepPoint {
            SweepPoint(reals: reals, rps: 1, bytesPerSecond: 1, cps: 1, p99US: 1, directorPPS: 1,
                       directorBytesPerSecond: 1, directorCPUPct: 95,
                       plainForward: ForwardCost(plainRPS: 1, ipvsToPlainRatio: 1, usPerPacketIPVS: 25,
                                                 usPerPacketPlain: Double(reals), usPerConnIPVS: nil, usPerConnPlain: nil,
                                                 plainCPUPct: plainCPU, ipvsPacketsDuringPlain: nil))
        }
        XCTAssertEqual(DirectorCapacity.costPoint(points: [point(8, plainCPU: 50), point(12, plainCPU: 90),
                                                           point(16, plainCPU: 84.9)], kneeReals: 8)?.reals, 12)
        XCTAssertNil(DirectorCapacity.costPoint(points: [point(8, plainCPU: 50), point(16, plainCPU: 75)], kneeReals: 8))
    }

    func testDirectorReadingCountsDataLinksOnly() throws {
        func node(idle: UInt64, busy: UInt64, vec0: UInt64, vec1: UInt64, lo: UInt64) -> NodeSample {
            var n = NodeSample(node: "director", role: .director)
            n.cpu = CPUTimes(user: 0, nice: 0, system: busy, idle: idle, iowait: 0, irq: 0, softirq: 0, steal: 0)
            let dev = ["Inter-|   Receive                |  Transmit", " face |bytes    packets errs drop",
                       "  vec0: 0 \(vec0) 0 0 0 0 0 0 0 0 0 0 0 0 0 0", "  vec1: 0 \(vec1) 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
                       "    lo: 0 \(lo) 0 0 0 0 0 0 0 0 0 0 0 0 0 0"].joined(separator: "\n")
            n.interfaces = (try? InterfaceCounters.parse(dev)) ?? [:]
            return n
        }
        let series = TimeSeries(interval: 0.5, samples: [
            Sample(elapsed: 0, time: Date(), nodes: [node(idle: 100, busy: 100, vec0: 5, vec1: 1000, lo: 7)]),
            Sample(elapsed: 1, time: Date(), nodes: [node(idle: 110, busy: 130, vec0: 500, vec1: 9000, lo: 70)]),
            Sample(elapsed: 2, time: Date(), nodes: [node(idle: 120, busy: 160, vec0: 900, vec1: 21_000, lo: 99)]),
        ])
        let r = try XCTUnwrap(DirectorReading.from(series, director: "director"))
        XCTAssertEqual(r.packets, 20_000, "vec1 only: the management link and loopback carry no benchmark traffic")
        XCTAssertEqual(r.seconds, 2)
        XCTAssertEqual(r.busyPercent, 75, accuracy: 1e-9, "60 busy of 80 ticks")
        XCTAssertNil(DirectorReading.from(TimeSeries(interval: 0.5, samples: Array(series.samples.prefix(1))),
                                          director: "director"))
    }
}
