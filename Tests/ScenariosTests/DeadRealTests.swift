@testable import Scenarios
import Results
import SystemKit
import Vocabulary
import XCTest

/// dead-real's plans and its verdicts, from made-up measurements whose verdict is known.
final class DeadRealTests: XCTestCase {
    func testEveryVariantRunsUnderEveryLoadWithTheFaultAtTheSameTime() throws {
        let plans = try DeadReal().variants(ScenarioOptions())
        XCTAssertEqual(plans.count, DeadReal.bases.count * 2)
        XCTAssertEqual(plans.map(\.name).prefix(2), ["nothing/http", "nothing/http-close"])
        XCTAssertEqual(Set(plans.map { $0.events.first!.at }), [4])
        let persistent = try XCTUnwrap(plans.first { $0.name == "persistent-weight-0/http" })
        XCTAssertEqual(persistent.lab.persistence, DeadReal.persistenceSeconds)
        XCTAssertEqual(persistent.target, .busiest)
        XCTAssertEqual(persistent.events[0].steps.map(\.what), ["kill the real's servers", "set its weight to 0"])
        XCTAssertEqual(persistent.prepare.map(\.what), ["net.ipv4.vs.expire_quiescent_template=0"])
        let cut = try XCTUnwrap(plans.first { $0.name == "cut-removed-expire/http" })
        XCTAssertEqual(cut.events[0].steps.map(\.what), ["cut the real's link", "remove it from the service"])
        XCTAssertEqual(cut.target, .real(2))
    }

    func testOptionsNarrowAndAreChecked() throws {
        let plans = try DeadReal().variants(ScenarioOptions(loads: [.httpClose], duration: 6, variants: ["weight-0", "nothing"]))
        XCTAssertEqual(plans.map(\.name), ["nothing/http-close", "weight-0/http-close"], "in the scenario's order")
        XCTAssertEqual(plans[0].events[0].at, 2, "the default fault time never passes a third of a shorter load")
        XCTAssertThrowsError(try DeadReal().variants(ScenarioOptions(variants: ["bogus"]))) { error in
            XCTAssertTrue("\(error)".contains("no variant 'bogus'"), "\(error)")
        }
        XCTAssertThrowsError(try DeadReal().variants(ScenarioOptions(duration: 6, faultAt: 7))) { error in
            XCTAssertTrue("\(error)".contains("--fault-at 7"), "\(error)")
        }
        XCTAssertThrowsError(try DeadReal().variants(ScenarioOptions(reals: 1)))
        XCTAssertThrowsError(try DeadReal().variants(ScenarioOptions(connections: 0)))
        XCTAssertThrowsError(try ScenarioCatalog.named("nope")) { error in
            XCTAssertTrue("\(error)".contains("dead-real"), "the message lists the scenarios: \(error)")
        }
    }

    static func variant(_ name: String, scheduled: UInt64?, recovery: Double?, entriesAfter: Int? = nil,
                        lost: UInt64 = 10, lateSyns: UInt64? = nil, repeated: UInt64? = nil) -> ScenarioVariant {
        let metrics = VariantMetrics(faultT: 4, baselineRPS: 500, failedAfterFault: lost, timedOutAfterFault: 0,
                                     recoverySeconds: recovery, disruptedSeconds: 1, p99BeforeUS: 900, p99DuringUS: 9_000,
                                     p99AfterUS: 950, faultyReal: "198.18.2.12", faultyRealName: "real2",
                                     scheduledToFaultyReal: scheduled, repeatedSynsToFaultyReal: repeated,
                                     answeredByFaultyReal: 0, brokenConnections: 3,
                                     connections: 40)
        let director = entriesAfter.map { [DirectorSample(t: 4.5, reals: ["198.18.2.12": .init(tableEntries: $0)])] } ?? []
        // SYNs to real2 in the interval right after the change and, `lateSyns`, 2 s later.
        let wire = lateSyns.map { late in
            [WireInterval(t: 4, syns: ["real2": (scheduled ?? 0) - late]), WireInterval(t: 6, syns: ["real2": late])]
        }
        return ScenarioVariant(name: name, description: "", load: "", intervalSeconds: 0.25,
                               events: [ScenarioEvent(t: 4, doneT: 4.05, what: "")], client: [], director: director,
                               wire: wire, metrics: metrics)
    }

    func testVerdicts() {
        let shown = [
            Self.variant("nothing/http-close", scheduled: 120, recovery: nil),
            Self.variant("nothing/http", scheduled: 6, recovery: 0.3),
            Self.variant("weight-0/http-close", scheduled: 0, recovery: 0.5),
            Self.variant("cut-removed/http", scheduled: 0, recovery: 2, entriesAfter: 13),
            Self.variant("cut-removed-expire/http", scheduled: 0, recovery: 1, entriesAfter: 0),
            Self.variant("persistent-weight-0/http", scheduled: 200, recovery: nil),
            Self.variant("persistent-weight-0-expire/http", scheduled: 0, recovery: 0.25),
            Self.variant("persistent-weight-0-expire/http-close", scheduled: 300, recovery: nil, lateSyns: 300),
            Self.variant("persistent-weight-0-expire-nodest/http-close", scheduled: 0, recovery: 0.5, lateSyns: 0),
        ]
        XCTAssertEqual(DeadReal().findings(shown).map(\.verdict), [.shown, .shown, .shown, .shown, .shown])
        let refuted = [
            Self.variant("nothing/http-close", scheduled: 0, recovery: nil),
            Self.variant("weight-0/http-close", scheduled: 5, recovery: 0.5),
            Self.variant("cut-removed/http", scheduled: 0, recovery: 2, entriesAfter: 13),
            Self.variant("cut-removed-expire/http", scheduled: 0, recovery: 1, entriesAfter: 13),
            Self.variant("persistent-weight-0/http", scheduled: 0, recovery: 1),
            Self.variant("persistent-weight-0-expire/http", scheduled: 0, recovery: 0.25),
            Self.variant("persistent-weight-0-expire/http-close", scheduled: 0, recovery: 0.5, lateSyns: 0),
            Self.variant("persistent-weight-0-expire-nodest/http-close", scheduled: 0, recovery: 0.5, lateSyns: 0),
        ]
        XCTAssertEqual(DeadReal().findings(refuted).map(\.verdict), [.refuted, .refuted, .refuted, .refuted, .refuted])
        XCTAssertEqual(DeadReal().findings([]).map(\.verdict), Array(repeating: .notMeasured, count: 5))
        XCTAssertTrue(DeadReal().findings(shown)[0].evidence.contains("120 new connections"))
    }

    /// SYNs that repeat a client port follow the old entry, not the scheduler: weight 0 still
    /// quiesced the real, and the losses they cause do not refute it. Any SYN the scheduler
    /// chose does.
    func testWeightZeroIsJudgedOnTheSynsTheSchedulerChose() {
        let followed = DeadReal().weightZeroDrains([Self.variant("weight-0/http-close", scheduled: 42, recovery: nil, repeated: 42)])
        XCTAssertEqual(followed.verdict, .shown)
        XCTAssertTrue(followed.evidence.contains("0 new connections scheduled to the real after weight 0 and 42 SYNs that repeated"),
                      followed.evidence)
        let chosen = DeadReal().weightZeroDrains([Self.variant("weight-0/http-close", scheduled: 42, recovery: nil, repeated: 40)])
        XCTAssertEqual(chosen.verdict, .refuted, "2 SYNs the scheduler sent to a weight-0 real")
        let stuck = DeadReal().weightZeroDrains([Self.variant("weight-0/http-close", scheduled: 0, recovery: nil, repeated: 0)])
        XCTAssertEqual(stuck.verdict, .refuted, "nothing followed an old entry, yet the service never recovered")
    }

    func testTheCatalogListsEveryScenarioOnceWithTheToolsEachRuns() throws {
        let names = ScenarioCatalog.all.map(\.name)
        XCTAssertEqual(names, ["dead-real", "health-check", "director-failover", "port-reuse", "conn-table"])
        XCTAssertEqual(try ScenarioCatalog.named("health-check").tools, ["keepalived"])
        XCTAssertEqual(try ScenarioCatalog.named("director-failover").tools, ["keepalived"])
        XCTAssertEqual(try ScenarioCatalog.named("dead-real").tools, [])
        for scenario in ScenarioCatalog.all {
            XCTAssertEqual(Set(scenario.variantNames).count, scenario.variantNames.count, "\(scenario.name): unique variant names")
            XCTAssertFalse(try scenario.variants(ScenarioOptions()).isEmpty, "\(scenario.name) runs something by default")
        }
    }
}
