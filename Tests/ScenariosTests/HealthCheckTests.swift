@testable import Scenarios
import Results
import SystemKit
import Vocabulary
import XCTest

/// health-check's plans, its figures and its verdicts, from made-up timelines whose answer is
/// known.
final class HealthCheckTests: XCTestCase {
    func testEachVariantLeavesItsCheckerTimeToRemoveTheRealAndPutItBack() throws {
        let plans = try HealthCheck().variants(ScenarioOptions())
        XCTAssertEqual(plans.map(\.name), ["no-checker/http", "no-checker/http-close", "fast/http", "fast/http-close",
                                           "slow/http", "slow/http-close", "cut-fast/http", "cut-fast/http-close"])
        func plan(_ name: String) throws -> VariantPlan { try XCTUnwrap(plans.first { $0.name == name }) }
        // fast kill: worst removal 1 + 1 = 2 s, + 1 s timeout + 2 s; back within 2 × 1 + 1 s, + 2 s.
        let fast = try plan("fast/http-close")
        XCTAssertEqual(fast.events.map(\.at), [3, 8])
        XCTAssertEqual(fast.load.duration, 13)
        XCTAssertEqual(fast.events.map { $0.steps.map(\.what) }, [["kill the real's servers"], ["start the real's servers"]])
        XCTAssertEqual(fast.prepare.map(\.what), ["keepalived takes over the service"])
        XCTAssertEqual(fast.target, .real(2))
        let none = try plan("no-checker/http-close")
        XCTAssertEqual(none.events.map(\.at), fast.events.map(\.at), "no checker loses over the fast checker's window")
        XCTAssertEqual(none.load.duration, fast.load.duration)
        XCTAssertEqual(none.prepare.count, 0)
        // slow kill: 6 + 3 = 9 s, + 3 s; back within 2 × 6 + 1 s, + 2 s.
        let slow = try plan("slow/http")
        XCTAssertEqual(slow.events.map(\.at), [3, 15])
        XCTAssertEqual(slow.load.duration, 30)
        // cut: each of the retry + 1 attempts waits connect_timeout: 1 + 2 + 1 = 4 s, + 3 s.
        let cut = try plan("cut-fast/http")
        XCTAssertEqual(cut.events.map(\.at), [3, 10])
        XCTAssertEqual(cut.events.map { $0.steps.map(\.what) }, [["cut the real's link"], ["restore the real's link"]])
        let settings = try ScenarioSettings(scenario: HealthCheck(), options: ScenarioOptions())
        XCTAssertLessThan(settings.estimatedSeconds, 6 * 60, "a full default run stays under 6 minutes")
    }

    func testAGivenDurationHoldsForEveryVariantOrSaysWhatItMustBe() throws {
        let plans = try HealthCheck().variants(ScenarioOptions(loads: [.httpClose], duration: 12, faultAt: 2,
                                                               variants: ["fast", "no-checker"]))
        XCTAssertEqual(plans.map(\.name), ["no-checker/http-close", "fast/http-close"], "in the scenario's order")
        XCTAssertEqual(plans.map(\.load.duration), [12, 12])
        XCTAssertEqual(plans[1].events.map(\.at), [2, 7])
        XCTAssertThrowsError(try HealthCheck().variants(ScenarioOptions(duration: 12, variants: ["slow"]))) { error in
            XCTAssertTrue("\(error)".contains("give at least --duration 30s"), "\(error)")
        }
        XCTAssertThrowsError(try HealthCheck().variants(ScenarioOptions(reals: 1)))
        XCTAssertNoThrow(try ScenarioCatalog.named("health-check"))
    }

    func testTheCheckerMatchesTheLoadsService() {
        XCTAssertEqual(HealthCheckDaemon.check(for: .httpClose, .fast),
                       .httpGet(path: "/", statusCode: 200, timing: .init(connectTimeout: 1, retry: 1, delayBeforeRetry: 1)))
        XCTAssertEqual(HealthCheckDaemon.check(for: .tcpRR, .slow), .tcp(.init(connectTimeout: 5, retry: 1, delayBeforeRetry: 3)))
        XCTAssertEqual(HealthCheckTiming.slow.worstRemoval(cut: true), 6 + 2 * 5 + 3)
    }

    static let real = "198.18.2.12"

    /// A variant killed at 3 s and back at 8 s, in 0.5 s intervals; the real is out of the
    /// service from `out` (nil: never) until `back` (nil: to the end), each interval loses
    /// `lost(t)` and the real answers from `answers` on (nil: never after the kill).
    static func variant(_ name: String, out: Double?, back: Double?, answers: Double?, connections: Int = 40,
                        lost: (Double) -> UInt64) -> ScenarioVariant {
        let ts = stride(from: 0.0, to: 13, by: 0.5).map { $0 }
        let client = ts.map { t in
            ClientInterval(t: t, ok: 200, failed: lost(t), timedOut: 0, connectionsOpened: 100, p99US: 1_000,
                           perReal: ["real1": 100, "real2": (t < 3 || answers.map { t >= $0 } ?? false) ? 50 : 0])
        }
        let director = stride(from: 0.1, to: 13, by: 0.25).map { t -> DirectorSample in
            let listed = out.map { t < $0 } ?? true || back.map { t >= $0 } ?? false
            return DirectorSample(t: t, reals: listed ? [real: .init(scheduled: UInt64(t * 10))] : [real: .init(tableEntries: 3)])
        }
        let metrics = VariantMetrics(faultT: 3, baselineRPS: 400, failedAfterFault: 0, timedOutAfterFault: 0, recoverySeconds: nil,
                                     disruptedSeconds: 0, p99BeforeUS: nil, p99DuringUS: nil, p99AfterUS: nil,
                                     faultyReal: real, faultyRealName: "real2", scheduledToFaultyReal: nil,
                                     answeredByFaultyReal: nil, brokenConnections: 12, connections: connections)
        return ScenarioVariant(name: name, description: "", load: "", intervalSeconds: 0.5,
                               events: [ScenarioEvent(t: 3, what: "kill"), ScenarioEvent(t: 8, what: "start")],
                               client: client, director: director, metrics: metrics)
    }

    func testFiguresReadTheRemovalTheLossesAndTheReturn() throws {
        let v = Self.variant("fast/http-close", out: 4.5, back: 9.7, answers: 10) { t in t >= 3 && t < 4.5 ? 20 : 0 }
        let f = try XCTUnwrap(HealthCheckFigures(v))
        XCTAssertEqual(try XCTUnwrap(f.removedAfter), 1.6, accuracy: 1e-9, "the first sample without it, at 4.6 s")
        XCTAssertEqual(f.lostUntilRemoval, 60)
        XCTAssertEqual(f.lostUntilReturn, 60)
        XCTAssertEqual(f.lostLastSecond, 0)
        XCTAssertEqual(f.window, 5)
        XCTAssertEqual(try XCTUnwrap(f.backAfter), 1.85, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(f.answeringAfter), 2.5, accuracy: 1e-9, "the end of the interval from 10 s")
        XCTAssertTrue(f.summary.contains("removed after 1.60 s (60 lost until then)"), f.summary)

        let none = try XCTUnwrap(HealthCheckFigures(Self.variant("no-checker/http-close", out: nil, back: nil, answers: 8) { t in
            t >= 3 && t < 8 ? 20 : 0
        }))
        XCTAssertNil(none.removedAfter)
        XCTAssertNil(none.backAfter)
        XCTAssertEqual(none.lostUntilRemoval, 200, "never removed: lost to the return")
        XCTAssertEqual(none.lostLastSecond, 40)
        XCTAssertEqual(none.lossRate, 40)
        XCTAssertEqual(try XCTUnwrap(none.answeringAfter), 0.5, accuracy: 1e-9)
        XCTAssertNil(HealthCheckFigures(ScenarioVariant(name: "x", description: "", load: "", intervalSeconds: 0.5, events: [],
                                                        client: [], director: [], metrics: v.metrics)))
    }

    func testVerdicts() {
        let killLoss: (Double) -> UInt64 = { t in t >= 3 && t < 4.5 ? 20 : 0 }
        let shown = [
            Self.variant("no-checker/http-close", out: nil, back: nil, answers: 8) { t in t >= 3 && t < 8 ? 20 : 0 },
            Self.variant("no-checker/http", out: nil, back: nil, answers: nil) { t in t == 3 ? 10 : 0 },
            Self.variant("fast/http-close", out: 4.5, back: 9.7, answers: 10, lost: killLoss),
            Self.variant("slow/http-close", out: 4.5, back: 9.7, answers: 10, lost: killLoss),
            Self.variant("cut-fast/http-close", out: 6.5, back: 9.8, answers: 10, lost: killLoss),
        ]
        XCTAssertEqual(HealthCheck().findings(shown).map(\.verdict), [.shown, .shown, .shown, .shown, .shown])
        let evidence = HealthCheck().findings(shown)[0].evidence
        XCTAssertTrue(evidence.contains("where no checker lost 40/s (200 in as long)"), evidence)
        XCTAssertTrue(HealthCheck().findings(shown)[3].evidence.contains("removed 3.60 s after the cut vs 1.60 s after the kill"))
        let refuted = [
            Self.variant("no-checker/http-close", out: 5, back: nil, answers: 8) { t in t >= 3 && t < 8 ? 20 : 0 },
            Self.variant("no-checker/http", out: nil, back: nil, answers: nil) { t in t >= 3 && t < 8 ? 20 : 0 },
            Self.variant("fast/http-close", out: 5.5, back: 11, answers: 10, lost: killLoss),
            Self.variant("cut-fast/http-close", out: 4.5, back: 12, answers: 10, lost: killLoss),
        ]
        XCTAssertEqual(HealthCheck().findings(refuted).map(\.verdict), [.refuted, .refuted, .refuted, .refuted, .refuted])
        XCTAssertEqual(HealthCheck().findings([]).map(\.verdict), Array(repeating: .notMeasured, count: 5))
    }
}
