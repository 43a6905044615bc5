import Balancing
import Foundation
import Lab
import SystemKit
import XCTest
@testable import Experiments
import Vocabulary

/// The host's own /proc as a director: real CPU and interface counters that move, so the
/// meter's CPU readings work without a lab.
struct HostProcNode: LabNode {
    let name = "director"
    let role = NodeRole.director
    func run(_ argv: [String], timeout: Double?) throws -> ProcessResult { ProcessResult(status: 0, stdout: "", stderr: "") }
    func readFile(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
    func wrap(_ argv: [String]) -> [String] { argv }
}

/// The meter reads traffic and per-real connections from the lab's balancer, whatever it is.
final class CollectorMeterTests: XCTestCase {
    static let vip = VirtualService(address: "198.18.0.100", port: 80)

    /// One service whose reals (the fake lab's addresses) have `conns` connections each and
    /// the service `packets` packets in and as many out.
    static func reading(conns: [UInt64], packets: UInt64) -> [ServiceReading] {
        let reals = conns.enumerated().map { i, n in
            RealReading(proto: "TCP", service: vip, address: "198.18.1.\(i + 1)", port: 80,
                        counters: BalancerCounters(conns: n, inPackets: n * 10, outPackets: n * 10, inBytes: n * 600, outBytes: n * 900))
        }
        let total = reals.reduce(BalancerCounters.zero) { $0 + $1.counters }
        var service = total
        service.inPackets = packets
        service.outPackets = packets
        return [ServiceReading(proto: "TCP", service: vip, counters: service, reals: reals)]
    }

    private func lab(_ readings: [[ServiceReading]], balancer: BalancerKind) -> FakeLab {
        let lab = FakeLab(mode: .nat, reals: 4, journal: Journal())
        lab.balancer = balancer
        lab.director = HostProcNode()
        lab.counterReadings = readings
        return lab
    }

    private func window(_ meter: CollectorMeter, in lab: FakeLab, reference: Bool) throws -> WindowCounters {
        if reference {
            try meter.startReference(lab: lab)
            usleep(250_000)
            let plain = try meter.stopReference()
            XCTAssertGreaterThan(plain.seconds, 0)
        }
        try meter.start(lab: lab)
        usleep(250_000)
        try meter.endWindow()
        return try meter.stop()
    }

    func testAnotherBalancersCountersGiveTrafficSharesAndTheBypassCheck() throws {
        let lab = lab([Self.reading(conns: [10, 10, 2, 2], packets: 1000),   // the reference starts
                       Self.reading(conns: [10, 10, 2, 2], packets: 1000),   // the window starts
                       Self.reading(conns: [30, 30, 6, 6], packets: 5000)],  // settled, after it
                      balancer: .nftables)
        let meter = CollectorMeter(interval: 0.1, settleSeconds: 0)
        let w = try window(meter, in: lab, reference: true)
        XCTAssertEqual(lab.counterReads, 3)
        XCTAssertEqual(w.realConnections, [20, 20, 4, 4])
        XCTAssertEqual(w.traffic.inPackets, 4000)
        XCTAssertEqual(w.traffic.outPackets, 4000)
        XCTAssertEqual(w.traffic.conns, 48)
        XCTAssertEqual(w.traffic.inBytes, 28_800)
        XCTAssertEqual(w.ipvsPacketsDuringReference, 0, "the reference bypassed the balancer")
        XCTAssertNotNil(w.director, "CPU per packet does not depend on the balancer")
        XCTAssertFalse(w.samples.isEmpty)
    }

    func testPacketsTheBalancerCountedDuringTheReferenceAreReported() throws {
        let lab = lab([Self.reading(conns: [1, 1, 1, 1], packets: 100),
                       Self.reading(conns: [1, 1, 1, 1], packets: 160),
                       Self.reading(conns: [2, 2, 1, 1], packets: 200)], balancer: .haproxy)
        let w = try window(CollectorMeter(interval: 0.1, settleSeconds: 0), in: lab, reference: true)
        XCTAssertEqual(w.ipvsPacketsDuringReference, 120, "60 in and 60 out crossed the balancer")
        XCTAssertEqual(w.realConnections, [1, 1, 0, 0])
    }

    func testWithoutAReferenceThereIsNoBypassFigure() throws {
        let lab = lab([Self.reading(conns: [0, 0, 0, 0], packets: 0), Self.reading(conns: [5, 5, 1, 1], packets: 90)],
                      balancer: .ipvs)
        let w = try window(CollectorMeter(interval: 0.1, settleSeconds: 0), in: lab, reference: false)
        XCTAssertNil(w.ipvsPacketsDuringReference)
        XCTAssertEqual(w.realConnections, [5, 5, 1, 1])
        XCTAssertEqual(w.traffic.inPackets, 90)
    }

    /// A real or service present in one reading only was added or removed: not counted from zero.
    func testServicesAndRealsInOneReadingOnlyAreLeftOut() {
        let before = Self.reading(conns: [5, 5], packets: 10)
        var after = Self.reading(conns: [7, 5, 9], packets: 30)
        after.append(ServiceReading(proto: "TCP", service: VirtualService(address: "198.18.0.100", port: 9000),
                                    counters: BalancerCounters(conns: 1, inPackets: 1, outPackets: 1, inBytes: 1, outBytes: 1),
                                    reals: []))
        let w = CollectorMeter.window(before: before, after: after)
        XCTAssertEqual(w.traffic.inPackets, 20)
        XCTAssertEqual(w.reals.map(\.address), ["198.18.1.1", "198.18.1.2"])
        XCTAssertEqual(w.reals.map(\.counters.conns), [2, 0])
    }

    func testAnUnreadableBalancerFailsTheWindowInOneLine() throws {
        let lab = FakeLab(mode: .nat, reals: 4, journal: Journal())
        lab.counterFailure = "nft: no such table"
        let meter = CollectorMeter(interval: 0.1, settleSeconds: 0)
        XCTAssertThrowsError(try meter.start(lab: lab)) { error in
            XCTAssertEqual("\(error)", "director counters unavailable for the window: nft: no such table")
        }
        meter.abandon()
    }
}
