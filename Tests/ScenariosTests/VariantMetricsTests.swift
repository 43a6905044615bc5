import Results
import XCTest

/// The figures around a fault, from hand-made timelines whose answers are known.
final class VariantMetricsTests: XCTestCase {
    /// 0.5 s intervals: 100 ok per interval (200/s) before the fault at 2.2 s, losses in the
    /// three intervals from 2.0 s to 3.5 s, clean from 3.5 s on, a short last interval.
    func timeline(lossesUntil end: Double = 3.5, total: Double = 6) -> [ClientInterval] {
        stride(from: 0.0, to: total, by: 0.5).map { t in
            let losing = t >= 2.0 && t < end
            return ClientInterval(t: t, ok: t == total - 0.5 ? 10 : (losing ? 60 : 100), failed: losing ? 5 : 0,
                                  timedOut: losing ? 2 : 0, connectionsOpened: losing ? 5 : 0,
                                  p99US: losing ? 900_000 : (t < 2 ? 1_000 : 1_200), perReal: ["real2": losing ? 3 : 30])
        }
    }

    func testRecoveryLossesAndP99AroundTheFault() {
        let events = [ScenarioEvent(t: 2.2, doneT: 2.25, what: "kill")]
        let director = [0.0, 2.0, 2.3, 4.0, 5.9].enumerated().map { i, t in
            DirectorSample(t: t, reals: ["198.18.2.12": .init(scheduled: UInt64([10, 50, 60, 60, 60][i]))])
        }
        let m = VariantMetrics.derive(client: timeline(), director: director, events: events, interval: 0.5,
                                      faultyReal: (address: "198.18.2.12", name: "real2"), brokenConnections: 7, connections: 40)
        XCTAssertEqual(m.faultT, 2.2)
        XCTAssertEqual(m.baselineRPS, 200)
        XCTAssertEqual(m.failedAfterFault, 15)
        XCTAssertEqual(m.timedOutAfterFault, 6)
        XCTAssertEqual(m.recoverySeconds!, 1.3, accuracy: 1e-9, "3.5 s - 2.2 s")
        XCTAssertEqual(m.disruptedSeconds, 1.5)
        XCTAssertEqual(m.p99BeforeUS, 1_000)
        XCTAssertEqual(m.p99DuringUS, 900_000)
        XCTAssertEqual(m.p99AfterUS, 1_200)
        XCTAssertEqual(m.scheduledToFaultyReal, 0, "counted from the first sample after the fault's last step")
        XCTAssertEqual(m.answeredByFaultyReal, 2 * 3 + 5 * 30, "intervals starting at or after the fault: 2.5 s on")
        XCTAssertEqual(m.faultyRealName, "real2")
    }

    func testLossesToTheEndMeanNotRecovered() {
        let m = VariantMetrics.derive(client: timeline(lossesUntil: 6.0), director: [], events: [ScenarioEvent(t: 2.2, what: "cut")],
                                      interval: 0.5, faultyReal: nil, brokenConnections: nil, connections: 10)
        XCTAssertNil(m.recoverySeconds)
        XCTAssertNil(m.p99AfterUS)
        XCTAssertEqual(m.p99DuringUS, 900_000)
    }

    func testAFaultThatCostsNothingRecoversAtOnce() {
        let m = VariantMetrics.derive(client: timeline(lossesUntil: 0), director: [], events: [ScenarioEvent(t: 2.2, what: "weight 0")],
                                      interval: 0.5, faultyReal: nil, brokenConnections: 0, connections: 10)
        XCTAssertEqual(m.recoverySeconds, 0)
        XCTAssertEqual(m.lostAfterFault, 0)
    }

    func testTheHorizonIsTheSecondEvent() {
        // Losses from 2.0 to 3.5 s, the real back at 3.0 s: the window ends there, unrecovered.
        let events = [ScenarioEvent(t: 2.2, what: "kill"), ScenarioEvent(t: 3.0, what: "start")]
        let m = VariantMetrics.derive(client: timeline(), director: [], events: events, interval: 0.5, faultyReal: nil,
                                      brokenConnections: nil, connections: 10)
        XCTAssertNil(m.recoverySeconds)
        XCTAssertEqual(m.failedAfterFault, 10, "the intervals at 2.0 and 2.5 s only")
    }

    func testARemovedRealHasNothingScheduledAfterRemoval() {
        let director = [DirectorSample(t: 1, reals: ["a": .init(scheduled: 40)]), DirectorSample(t: 3, reals: [:])]
        let m = VariantMetrics.derive(client: timeline(), director: director, events: [ScenarioEvent(t: 2.2, doneT: 2.3, what: "rm")],
                                      interval: 0.5, faultyReal: (address: "a", name: "real2"), brokenConnections: nil, connections: 1)
        XCTAssertEqual(m.scheduledToFaultyReal, 0)
    }

    func testWireSynsAreCountedFromTheEndOfTheFaultsStepsAndTrailingIntervalsIgnored() {
        let events = [ScenarioEvent(t: 2.2, doneT: 2.4, what: "kill; weight 0")]
        // The last interval (5.5 s) is clean and cut short, and one at 6.0 s starts after the
        // load's 6 s: neither may make a run that lost requests to the end look recovered.
        var client = timeline(lossesUntil: 5.5)
        client.append(ClientInterval(t: 6.0, ok: 0, failed: 0, timedOut: 0, connectionsOpened: 0, p99US: nil, perReal: [:]))
        let m = VariantMetrics.derive(client: client, director: [], events: events, interval: 0.5, duration: 6,
                                      faultyReal: (address: "a", name: "real2"), faultySyns: [1.0, 2.3, 2.41, 5.0],
                                      faultyRepeatedSyns: [2.3, 5.0], brokenConnections: nil, connections: 4)
        XCTAssertEqual(m.scheduledToFaultyReal, 2, "SYNs at 2.41 and 5.0 s; the one at 2.3 s came before the weight change finished")
        XCTAssertEqual(m.repeatedSynsToFaultyReal, 1, "of those, the one at 5.0 s repeated a client port")
        XCTAssertEqual(m.scheduledSource, "wire")
        XCTAssertEqual(m.recoverySeconds!, 3.3, accuracy: 1e-9, "the cut-short last interval at 5.5 s counts as clean")
        let never = VariantMetrics.derive(client: client.map { var c = $0; if c.t == 5.5 { c.failed = 3 }; return c },
                                          director: [], events: events, interval: 0.5, duration: 6, faultyReal: nil,
                                          brokenConnections: nil, connections: 4)
        XCTAssertNil(never.recoverySeconds, "the interval after the load is not a recovery")
    }

    func testWireIntervalsBucketSynTimes() {
        let w = WireInterval.bucket(["real1": [0.1, 0.2, 0.6], "real2": [0.7, 9]], width: 0.5, count: 2)
        XCTAssertEqual(w, [WireInterval(t: 0, syns: ["real1": 2]), WireInterval(t: 0.5, syns: ["real1": 1, "real2": 1])])
    }
}
