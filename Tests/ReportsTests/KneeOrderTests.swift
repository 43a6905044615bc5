import Reports
import Results
import XCTest

final class KneeOrderTests: XCTestCase {
    /// A curve of capped reals of 1,000 req/s each, flat from `flatFrom` on (or with one dip
    /// at `dipAt`), the director's CPU as given per point.
    private func curve(flatFrom: Int? = nil, dipAt: Int? = nil, packetsPerRequest: Double,
                       cpu: (Int) -> Double) -> ModeSweep {
        let reals = [1, 2, 4, 8, 12, 16]
        var points: [SweepPoint] = []
        for n in reals {
            var rps = Double(min(n, flatFrom ?? n)) * 1_000
            if n == dipAt { rps = points.last!.rps }
            points.append(SweepPoint(reals: n, rps: rps, bytesPerSecond: rps * 250, cps: rps / 100, p99US: 2_000,
                                     directorPPS: rps * packetsPerRequest, directorBytesPerSecond: rps * 300,
                                     directorCPUPct: cpu(n)))
        }
        return ModeSweep(points: points, perRealBytesPerSecond: 250_000)
    }

    func testNATsKneeBeforeTheOthersIsShown() throws {
        let sweep = ["nat": curve(flatFrom: 8, packetsPerRequest: 4, cpu: { min(100, Double($0) * 12) }),
                     "dr": curve(flatFrom: 12, packetsPerRequest: 2, cpu: { min(100, Double($0) * 8) }),
                     "tun": curve(packetsPerRequest: 2, cpu: { Double($0) * 5 })]
        let order = try XCTUnwrap(KneeOrder.judge(sweep))
        XCTAssertEqual(order.verdict, .shown)
        XCTAssertEqual(order.comparisons.map(\.mode), ["dr", "tun"])
        XCTAssertEqual(order.comparisons[0].reason, "NAT's knee at 8 reals, dr's at 12.")
        XCTAssertEqual(order.comparisons[1].reason, "NAT's knee at 8 reals; tun did not saturate up to 16 reals (director 80% there).")
    }

    /// A tie on a saturated director: the verdict carries the director's cost per request and
    /// per packet in both modes, which is why the knees tie.
    func testATieOnASaturatedDirectorSaysWhatTheDirectorSpent() throws {
        let sweep = ["nat": curve(flatFrom: 8, packetsPerRequest: 4, cpu: { min(100, Double($0) * 12.5) }),
                     "dr": curve(flatFrom: 8, packetsPerRequest: 2, cpu: { min(100, Double($0) * 12.5) })]
        let order = try XCTUnwrap(KneeOrder.judge(sweep))
        XCTAssertEqual(order.verdict, .notShown)
        let reason = order.comparisons[0].reason
        XCTAssertTrue(reason.hasPrefix("NAT's knee (8 reals) ties with dr's (8): dr gained +0 req/s per real from 8 to 12 reals"), reason)
        XCTAssertTrue(reason.contains("saturated (100% CPU)"), reason)
        // 100% of a CPU over 8,000 req/s in both modes: 125 µs per request, 2 against 4 packets.
        XCTAssertTrue(reason.contains("125.0 µs in dr (2.0 packets of 62.5 µs) against 125.0 µs in NAT at its knee (4.0 packets of 31.2 µs)"), reason)
        XCTAssertTrue(reason.contains("1.00× NAT's per request"), reason)
        XCTAssertTrue(reason.hasSuffix("has this director serving 8.0 reals in NAT and 8.0 in dr."), reason)
    }

    /// A one-window dip on a director far from saturation is called what it is.
    func testADipOnAnIdleDirectorIsNotAKnee() throws {
        let sweep = ["nat": curve(flatFrom: 8, packetsPerRequest: 4, cpu: { min(100, Double($0) * 12.5) }),
                     "tun": curve(dipAt: 8, packetsPerRequest: 2, cpu: { Double($0) * 4 })]
        let order = try XCTUnwrap(KneeOrder.judge(sweep))
        XCTAssertEqual(order.verdict, .notShown)
        let reason = order.comparisons[0].reason
        XCTAssertTrue(reason.hasPrefix("NAT's knee (8 reals) comes after tun's (4)"), reason)
        XCTAssertTrue(reason.contains("director at 32% CPU, not saturated"), reason)
        XCTAssertTrue(reason.contains("its best point 16000 req/s against NAT's 8000"), reason)
    }

    func testWithoutANATKneeThereIsNothingToCompare() throws {
        let sweep = ["nat": curve(packetsPerRequest: 4, cpu: { Double($0) * 5 }),
                     "dr": curve(flatFrom: 4, packetsPerRequest: 2, cpu: { min(100, Double($0) * 25) })]
        let order = try XCTUnwrap(KneeOrder.judge(sweep))
        XCTAssertEqual(order.verdict, .notMeasured)
        XCTAssertTrue(order.comparisons[0].reason.hasPrefix("NAT did not saturate up to 16 reals"))
        XCTAssertNil(KneeOrder.judge(["nat": sweep["nat"]!]))
        XCTAssertNil(KneeOrder.judge(["dr": sweep["dr"]!]))
    }

    /// DR keep-alive: the plain reference (one real) never loads the director, so the report
    /// says why there is no IPVS cost at saturation instead of printing one.
    func testTheCapacityModelSaysWhenThePlainReferenceNeverSaturated() throws {
        var s = SyntheticSummary.sweep()
        var points = s.sweep!["nat"]!.points
        for i in points.indices { points[i].plainForward?.plainCPUPct = 40 + Double(i) }
        s.sweep!["nat"] = ModeSweep(points: points, perRealBytesPerSecond: 400_000)
        XCTAssertNil(s.sweep!["nat"]!.capacity?.ipvsMicrosecondsPerPacket)
        let md = MarkdownReport.render(s)
        XCTAssertTrue(md.contains("nat: IPVS's own cost per packet is not measured at saturation: at and past the knee "
            + "the plain-forward reference (one uncapped real) kept the director at only 44–47% CPU"), md)
        // A summary written before that rule still carries the old cost: the report follows the rule.
        s.sweep!["nat"]!.capacity?.ipvsMicrosecondsPerPacket = 4
        s.sweep!["nat"]!.capacity?.realsIPVSAlone = 60
        let old = MarkdownReport.render(s)
        XCTAssertTrue(old.contains("nat: IPVS's own cost per packet is not measured at saturation"), old)
        XCTAssertTrue(old.contains("not measured (plain reference below saturation)"), old)
        XCTAssertFalse(old.contains("IPVS's own cost at saturation"), old)
    }

    func testTheSweepReportCarriesTheVerdict() {
        let md = MarkdownReport.render(SyntheticSummary.sweep())
        XCTAssertTrue(md.contains("NAT's knee first (the director carries NAT's replies, not DR's or TUN's): SHOWN. "
            + "dr: NAT's knee at 12 reals; dr did not saturate up to 24 reals (director 72% there)."), md)
    }
}
