import Results
import XCTest

final class CapacityModelTests: XCTestCase {
    func testThePapersArithmetic() {
        XCTAssertEqual(LVSPaper2000.natBytesPerSecond, 8_933_333, accuracy: 1)
        XCTAssertEqual(Int(LVSPaper2000.natReals(perRealBytesPerSecond: LVSPaper2000.perRealBytesPerSecond)),
                       LVSPaper2000.natRealsStated)
    }

    func testKneeIsWhereThroughputStopsGrowing() {
        let nat = SyntheticSummary.sweep().sweep!["nat"]!
        XCTAssertEqual(KneeFinder.knee(of: nat.points), 12)
        XCTAssertNil(KneeFinder.knee(of: SyntheticSummary.sweep().sweep!["dr"]!.points))
        XCTAssertNil(KneeFinder.knee(of: Array(nat.points.prefix(1))))
    }

    func testCapacityAtSaturation() throws {
        let capacity = try XCTUnwrap(SyntheticSummary.sweep().sweep!["nat"]!.capacity)
        XCTAssertEqual(capacity.servedBytesPerSecond, 4_800_000)
        XCTAssertEqual(try XCTUnwrap(capacity.realsAtPerRealRate), 12, accuracy: 1e-9)
        XCTAssertEqual(capacity.cpuPct, 100)
        XCTAssertEqual(capacity.microsecondsPerPacket, 1_000_000 / capacity.packetsPerSecond, accuracy: 1e-9)
        XCTAssertEqual(capacity.averagePacketBytes, capacity.bytesPerSecond / capacity.packetsPerSecond, accuracy: 1e-9)
    }

    /// The tc cap counts headers, the client counts payload: reals are counted in payload on
    /// both sides, from what one capped real served at the sweep's smallest point.
    func testRealsAreCountedInTheUnitTheClientSees() throws {
        let points = [1, 2, 4, 8, 12, 16].map { n -> SweepPoint in
            let served = min(Double(n) * 300_000, 3_600_000)
            return SweepPoint(reals: n, rps: served / 1_000, bytesPerSecond: served, cps: served / 10_000, p99US: 2_000,
                              directorPPS: served / 500, directorBytesPerSecond: served * 1.2,
                              directorCPUPct: min(Double(n) * 9, 100))
        }
        let capacity = try XCTUnwrap(DirectorCapacity.measured(points: points, kneeReals: 12, perRealBytesPerSecond: 400_000))
        XCTAssertEqual(try XCTUnwrap(capacity.perRealServedBytesPerSecond), 300_000, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(capacity.realsAtPerRealRate), 12, accuracy: 1e-9)
    }

    func testSpread() {
        let s = Spread([3, 1, 2, 10])
        XCTAssertEqual(s.median, 2.5)
        XCTAssertEqual(s.range, 1...10)
        XCTAssertTrue(s.overlaps(Spread([9, 12])))
        XCTAssertFalse(s.overlaps(Spread([11, 12])))
    }
}
