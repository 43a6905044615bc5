@testable import Scenarios
import Results
import SystemKit
import Vocabulary
import XCTest

/// port-reuse's plans and its verdicts, from made-up measurements whose verdict is known.
final class PortReuseTests: XCTestCase {
    func testDefaultPlansNarrowThePortsSetTheSysctlsAndQuiesceReal2() throws {
        let plans = try PortReuse().variants(ScenarioOptions())
        XCTAssertEqual(plans.map(\.name), PortReuse.bases.map { "\($0.name)/http-close" })
        XCTAssertEqual(plans.filter { $0.lab.mode == .dr }.map(\.name), ["dr-mode-1/http-close", "dr-mode-3/http-close"])
        XCTAssertTrue(plans.allSatisfy { $0.target == .real(2) })
        let conntrack = try XCTUnwrap(plans.first { $0.name == "mode-1-conntrack/http-close" })
        XCTAssertEqual(conntrack.prepare.map(\.what), [
            "net.ipv4.vs.conn_reuse_mode=1", "net.ipv4.vs.conntrack=1", "connection tracking on in the director",
            "ip_local_port_range 40000 40099",
            "net.ipv4.tcp_tw_reuse=1", "zero IPVS's counters",
        ])
        XCTAssertEqual(conntrack.events.map(\.at), [3, 9.5], "the weight change, then the wait for the final counts")
        XCTAssertEqual(conntrack.events[0].steps.map(\.what), ["set its weight to 0"])
        XCTAssertEqual(conntrack.load.kind, .httpClose)
        XCTAssertGreaterThan(conntrack.load.timeout, 1.5, "a SYN retransmitted after 1 s must show as latency, not a timeout")
        // The range comes back about every second at the default rate.
        XCTAssertEqual(Double(PortReuse.portCount) / conntrack.load.rate, 1.25, accuracy: 0.01)
        let estimate = plans.reduce(0.0) { $0 + $1.load.duration + PortReuse.settleSeconds + PortReuse.estimatorSeconds + 12 }
        XCTAssertLessThan(estimate, 360, "a full default run stays under 6 minutes")
    }

    func testOptionsAreChecked() throws {
        let plans = try PortReuse().variants(ScenarioOptions(duration: 5, variants: ["mode-1", "mode-0"]))
        XCTAssertEqual(plans.map(\.name), ["mode-0/http-close", "mode-1/http-close"])
        XCTAssertEqual(plans[0].events.map(\.at), [5.0 / 3, 4.5])
        XCTAssertThrowsError(try PortReuse().variants(ScenarioOptions(loads: [.http]))) { error in
            XCTAssertTrue("\(error)".contains("http-close or tcp-crr"), "\(error)")
        }
        XCTAssertThrowsError(try PortReuse().variants(ScenarioOptions(duration: 5, faultAt: 4.8))) { error in
            XCTAssertTrue("\(error)".contains("--fault-at"), "\(error)")
        }
        XCTAssertThrowsError(try PortReuse().variants(ScenarioOptions(reals: 1)))
        XCTAssertEqual(try ScenarioCatalog.named("port-reuse").name, "port-reuse")
    }

    /// A 10 s load of 20 connections per 0.25 s interval, real2 at weight 0 from 4 s, the
    /// director's final sample 2.5 s after the load.
    static func variant(_ name: String, counted: UInt64, real2AfterChange: UInt64, synRetrans: Double = 0,
                        p99US: Double = 2_000, finalSampleAt: Double = 12.5) -> ScenarioVariant {
        let client = (0..<40).map { i -> ClientInterval in
            let t = Double(i) * 0.25
            let real2: UInt64 = t < 4 ? 7 : real2AfterChange
            return ClientInterval(t: t, ok: 20, failed: 0, timedOut: 0, connectionsOpened: 20, p99US: p99US,
                                  perReal: ["real1": 20 - real2, "real2": real2])
        }
        let address = "198.18.2.12"
        let director = [
            DirectorSample(t: 0, reals: [address: .init(scheduled: 0)], gauges: [PortReuseGauges.synRetrans: 100]),
            DirectorSample(t: 6.5, reals: [address: .init(scheduled: 30, tableEntries: 33)], gauges: [PortReuseGauges.synRetrans: 100]),
            DirectorSample(t: finalSampleAt, reals: ["198.18.2.11": .init(scheduled: counted - 30), address: .init(scheduled: 30)],
                           gauges: [PortReuseGauges.synRetrans: 100 + synRetrans]),
        ]
        let metrics = VariantMetrics(faultT: 4, baselineRPS: 80, failedAfterFault: 0, timedOutAfterFault: 0, recoverySeconds: 0,
                                     disruptedSeconds: 0, p99BeforeUS: p99US, p99DuringUS: p99US, p99AfterUS: p99US,
                                     faultyReal: address, faultyRealName: "real2", scheduledToFaultyReal: 0,
                                     answeredByFaultyReal: real2AfterChange * 24, brokenConnections: 0, connections: 20)
        return ScenarioVariant(name: name, description: "", load: "", intervalSeconds: 0.25,
                               events: [ScenarioEvent(t: 4, doneT: 4.05, what: ""), ScenarioEvent(t: 9.5, doneT: 13, what: "")],
                               client: client, director: director, metrics: metrics)
    }

    func testFiguresFromTheTimelines() throws {
        let f = PortReuseFigures(Self.variant("mode-0/http-close", counted: 100, real2AfterChange: 6, synRetrans: 4))
        XCTAssertEqual(f.opened, 800)
        XCTAssertEqual(f.counted, 100)
        XCTAssertEqual(try XCTUnwrap(f.uncountedShare), 0.875, accuracy: 1e-9)
        XCTAssertEqual(f.synRetransmits, 4)
        // Intervals from 4.25 s to 9.25 s: wholly after the change and before the horizon.
        XCTAssertEqual(f.answeredByQuiesced?.byReal, 21 * 6)
        XCTAssertEqual(f.answeredByQuiesced?.all, 21 * 20)
        XCTAssertEqual(f.quiescedAtHorizon?.entries, 33)
        XCTAssertEqual(f.countedForQuiesced, 0, "riders are not counted")
        XCTAssertNil(PortReuseFigures(Self.variant("mode-0/http-close", counted: 100, real2AfterChange: 6, finalSampleAt: 11)).counted,
                     "a last sample within 2 s of the load's end may lack connections")
        let slow = PortReuseFigures(Self.variant("mode-1-conntrack/http-close", counted: 800, real2AfterChange: 0, p99US: 1_020_000))
        XCTAssertEqual(slow.slowIntervals.count, 40)
        XCTAssertEqual(slow.slowLowerBound, 40, "1% of 20 responses, rounded up, per interval")
    }

    func testVerdicts() {
        let shown = [
            Self.variant("mode-0/http-close", counted: 100, real2AfterChange: 6),
            Self.variant("mode-1/http-close", counted: 798, real2AfterChange: 0),
            Self.variant("mode-1-conntrack/http-close", counted: 800, real2AfterChange: 0, synRetrans: 120, p99US: 1_050_000),
            Self.variant("dr-mode-1/http-close", counted: 150, real2AfterChange: 6),
            Self.variant("dr-mode-3/http-close", counted: 800, real2AfterChange: 0),
        ]
        XCTAssertEqual(PortReuse().findings(shown).map(\.verdict), [.shown, .shown, .shown, .shown])
        let refuted = [
            Self.variant("mode-0/http-close", counted: 790, real2AfterChange: 0),
            Self.variant("mode-1/http-close", counted: 100, real2AfterChange: 6),
            Self.variant("mode-1-conntrack/http-close", counted: 800, real2AfterChange: 0),
            Self.variant("dr-mode-1/http-close", counted: 800, real2AfterChange: 0),
            Self.variant("dr-mode-3/http-close", counted: 800, real2AfterChange: 0),
        ]
        XCTAssertEqual(PortReuse().findings(refuted).map(\.verdict), [.refuted, .refuted, .refuted, .refuted])
        XCTAssertEqual(PortReuse().findings([]).map(\.verdict), Array(repeating: .notMeasured, count: 4))
        let evidence = PortReuse().findings(shown)
        XCTAssertTrue(evidence[0].evidence.contains("IPVS counted 100 new connections of 800"), evidence[0].evidence)
        XCTAssertTrue(evidence[1].evidence.contains("120 SYN retransmissions"), evidence[1].evidence)
        XCTAssertTrue(evidence[2].evidence.contains("real2 answered 126 of 420"), evidence[2].evidence)
        XCTAssertTrue(evidence[3].evidence.contains("81.2% rode an old entry"), evidence[3].evidence)
        let early = [Self.variant("dr-mode-1/http-close", counted: 150, real2AfterChange: 6, finalSampleAt: 11),
                     Self.variant("dr-mode-3/http-close", counted: 800, real2AfterChange: 0)]
        XCTAssertEqual(PortReuse().findings(early)[3].verdict, .notMeasured, "no final count: no verdict")
    }
}
