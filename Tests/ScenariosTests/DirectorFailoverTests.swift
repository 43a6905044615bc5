@testable import Scenarios
import Results
import SystemKit
import Vocabulary
import XCTest

/// director-failover's plans, its keepalived configurations and its verdicts, from made-up
/// measurements whose verdict is known.
final class DirectorFailoverTests: XCTestCase {
    func testVariantsRunTwoDirectorsInDRWithTheCrashAsTheOnlyEvent() throws {
        let plans = try DirectorFailover().variants(ScenarioOptions())
        XCTAssertEqual(plans.map(\.name), ["sync-off/http", "sync-on/http", "sync-keepalived/http"])
        for plan in plans {
            XCTAssertEqual(plan.lab.mode, .dr)
            XCTAssertEqual(plan.lab.directors, 2)
            XCTAssertEqual(plan.events.count, 1, "the crash is the fault and nothing after it is the horizon")
            XCTAssertEqual(plan.events[0].steps.map(\.what), ["crash director1"])
            XCTAssertEqual(plan.events[0].at, 5)
            XCTAssertNil(plan.target)
            XCTAssertNotNil(plan.gauges, "director2's table is read with every sample")
            XCTAssertGreaterThan(plan.load.timeout, DirectorFailoverPair.masterDown + 3,
                                 "a stalled request outlasts the takeover and TCP's back-off")
        }
        XCTAssertLessThan(plans[0].load.duration * 3, 300 - 3 * 60, "three variants stay well under five minutes with their labs")
    }

    func testOptionsAreCheckedForAScenarioOfLongLivedConnectionsInDR() throws {
        XCTAssertEqual(try DirectorFailover().variants(ScenarioOptions(loads: [.tcpRR], variants: ["sync-on"])).map(\.name),
                       ["sync-on/tcp-rr"])
        XCTAssertEqual(try DirectorFailover().variants(ScenarioOptions(mode: .tun)).first?.lab.mode, .tun)
        XCTAssertThrowsError(try DirectorFailover().variants(ScenarioOptions(mode: .nat))) { error in
            XCTAssertTrue("\(error)".contains("DIP"), "the message says why NAT cannot: \(error)")
        }
        XCTAssertThrowsError(try DirectorFailover().variants(ScenarioOptions(loads: [.http, .httpClose]))) { error in
            XCTAssertTrue("\(error)".contains("http-close"), "\(error)")
        }
        XCTAssertEqual(try ScenarioCatalog.named("director-failover").name, "director-failover")
    }

    /// A crash before the sync thread's first send would pass the flush timer off as "sync
    /// keeps nothing" (CI once saw sync-on's backup hold 0 entries at a 3 s crash).
    func testASyncVariantRefusesACrashBeforeTheSyncThreadHasSent() throws {
        XCTAssertThrowsError(try DirectorFailover().variants(ScenarioOptions(duration: 11, faultAt: 3))) { error in
            XCTAssertTrue("\(error)".contains("--fault-at 3 s") && "\(error)".contains("4s or later"), "\(error)")
        }
        XCTAssertThrowsError(try DirectorFailover().variants(ScenarioOptions(duration: 9))) { error in
            XCTAssertTrue("\(error)".contains("--fault-at 3 s (the default: a third of --duration 9s)"), "\(error)")
        }
        XCTAssertEqual(try DirectorFailover().variants(ScenarioOptions(duration: 11, faultAt: 3, variants: ["sync-off"])).count, 1,
                       "without sync there is no timer to wait for")
        XCTAssertEqual(try DirectorFailover().variants(ScenarioOptions(duration: 13, faultAt: 4)).first?.events.first?.at, 4)
    }

    func testKeepalivedConfigurationsElectDirector1AndSyncOnlyWhenAsked() {
        let lan = (name: "vec1", address: "198.18.2.2")
        let master = DirectorFailoverPair(sync: .keepalived).config(lan: lan, peer: "198.18.2.3", vip: "198.18.2.100", master: true)
        let text = master.render()
        XCTAssertTrue(text.contains("lvs_sync_daemon vec1 VI_LVS"), text)
        XCTAssertTrue(text.contains("state MASTER"), text)
        XCTAssertTrue(text.contains("priority 150"), text)
        XCTAssertTrue(text.contains("198.18.2.100/32 dev vec1"), text)
        XCTAssertTrue(text.contains("unicast_src_ip 198.18.2.2"), text)
        XCTAssertTrue(text.contains("198.18.2.3"), text)
        let backup = DirectorFailoverPair(sync: .ipvsadm).config(lan: (name: "vec1", address: "198.18.2.3"), peer: "198.18.2.2",
                                                                 vip: "198.18.2.100", master: false).render()
        XCTAssertFalse(backup.contains("lvs_sync_daemon"), "ipvsadm runs the sync daemons itself: \(backup)")
        XCTAssertTrue(backup.contains("state BACKUP") && backup.contains("priority 100"), backup)
        XCTAssertEqual(DirectorFailoverPair.startSyncDaemon("backup", interface: "vec1"),
                       ["ipvsadm", "--start-daemon", "backup", "--mcast-interface", "vec1", "--syncid", "51"])
        XCTAssertEqual(DirectorFailoverPair.masterDown, 3 + 156.0 / 256, accuracy: 1e-9)
    }

    /// A variant crashed at 5 s whose client saw nothing from `silentFrom` to `backAt`, whose
    /// director2 held `standbyEntries` before the crash and `broken` of 40 slots broke.
    static func variant(_ name: String, broken: UInt64, standbyEntries: Double, silentFrom: Double = 5.25,
                        backAt: Double? = 8.5, recovery: Double? = 4) -> ScenarioVariant {
        let metrics = VariantMetrics(faultT: 5, baselineRPS: 200, failedAfterFault: broken, timedOutAfterFault: 0,
                                     recoverySeconds: recovery, disruptedSeconds: 0.25, p99BeforeUS: 5_000, p99DuringUS: 3_300_000,
                                     p99AfterUS: 5_500, faultyReal: nil, scheduledToFaultyReal: nil, answeredByFaultyReal: nil,
                                     brokenConnections: broken, connections: 40)
        let client = stride(from: 0.0, to: 12, by: 0.25).map { t in
            let silent = t >= silentFrom && (backAt.map { t < $0 } ?? true)
            return ClientInterval(t: t, ok: silent ? 0 : 50, failed: 0, timedOut: 0, connectionsOpened: 0, p99US: 5_000, perReal: [:])
        }
        let director = [4.0, 4.5, 5.5].map {
            DirectorSample(t: $0, reals: [:], gauges: [DirectorFailoverPair.standbyEntries: $0 < 5 ? standbyEntries : 99])
        }
        return ScenarioVariant(name: name, description: "", load: "", intervalSeconds: 0.25,
                               events: [ScenarioEvent(t: 5, doneT: 5.05, what: "")], client: client, director: director,
                               metrics: metrics)
    }

    func testVerdicts() {
        let shown = [Self.variant("sync-off/http", broken: 40, standbyEntries: 0),
                     Self.variant("sync-on/http", broken: 0, standbyEntries: 40, recovery: 6.5)]
        let findings = DirectorFailover().findings(shown)
        XCTAssertEqual(findings.map(\.verdict), [.shown, .shown, .shown])
        XCTAssertTrue(findings[0].evidence.contains("sync-on/http: 40 of 40 connections survived"), findings[0].evidence)
        XCTAssertTrue(findings[0].evidence.contains("held 0 entries"), "the sample before the crash, not after")
        XCTAssertTrue(findings[2].evidence.contains("gap 3.50 s"), findings[2].evidence)
        XCTAssertTrue(findings[2].claim.contains("3.0 or 6.2 s after its request"), findings[2].claim)
        let late = [Self.variant("sync-off/http", broken: 40, standbyEntries: 0, backAt: 11.5)]
        XCTAssertEqual(DirectorFailover().findings(late)[2].verdict, .shown, "the retransmission 6.2 s after the request")
        let later = [Self.variant("sync-off/http", broken: 40, standbyEntries: 0, backAt: 12)]
        XCTAssertEqual(DirectorFailover().findings(later)[2].verdict, .refuted, "past every retransmission the takeover explains")

        let refuted = [Self.variant("sync-off/http", broken: 10, standbyEntries: 3, backAt: 5.5),
                       Self.variant("sync-keepalived/http", broken: 12, standbyEntries: 0, backAt: nil)]
        XCTAssertEqual(DirectorFailover().findings(refuted).map(\.verdict), [.refuted, .refuted, .refuted])
        XCTAssertEqual(DirectorFailover().findings([]).map(\.verdict), [.notMeasured, .notMeasured, .notMeasured])
        XCTAssertEqual(DirectorFailover().findings([shown[1]]).map(\.verdict), [.notMeasured, .notMeasured, .shown])
    }

    func testServiceGapRunsFromTheCrashToTheFirstResponsesAfterSilence() {
        XCTAssertEqual(DirectorFailover.serviceGap(Self.variant("v", broken: 0, standbyEntries: 0)), 3.5)
        XCTAssertEqual(DirectorFailover.serviceGap(Self.variant("v", broken: 0, standbyEntries: 0, silentFrom: 99)), 0,
                       "no silent interval: no gap at this resolution")
        XCTAssertNil(DirectorFailover.serviceGap(Self.variant("v", broken: 0, standbyEntries: 0, backAt: nil)))
    }
}
