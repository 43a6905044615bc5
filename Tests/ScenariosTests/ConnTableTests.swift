@testable import Scenarios
import Results
import SystemKit
import Vocabulary
import XCTest

/// conn-table's plans, its gauges' parsing and its verdicts, from made-up measurements whose
/// verdict is known.
final class ConnTableTests: XCTestCase {
    func testEverySettingRunsInNatAndDrWithTwoCensusesAndNoTableReads() throws {
        let plans = try ConnTable().variants(ScenarioOptions())
        XCTAssertEqual(plans.map(\.name), ["defaults/nat/tcp-crr", "tutorial/nat/tcp-crr", "defaults/dr/tcp-crr", "tutorial/dr/tcp-crr"])
        XCTAssertEqual(plans.map(\.lab.mode), [.nat, .nat, .dr, .dr])
        let tutorial = plans[1]
        XCTAssertEqual(tutorial.prepare.map(\.what), ["ipvsadm --set 30 5 60", "client port range 1024 65535"])
        XCTAssertEqual(tutorial.events.map(\.at), [1, 44])
        XCTAssertEqual(tutorial.events.flatMap { $0.steps.map(\.what) }, ["count the table by state", "count the table by state"])
        XCTAssertFalse(tutorial.readsTable, "the table is too large to read every sample")
        XCTAssertNotNil(tutorial.gauges)
        XCTAssertEqual(tutorial.load.rate, 2000)
        XCTAssertLessThan(plans.reduce(0) { $0 + $1.load.duration + 20 }, 360, "a full default run stays under 6 minutes")
    }

    func testOptionsNarrowAndAreChecked() throws {
        let plans = try ConnTable().variants(ScenarioOptions(mode: .dr, duration: 6, variants: ["tutorial"]))
        XCTAssertEqual(plans.map(\.name), ["tutorial/dr/tcp-crr"])
        XCTAssertEqual(plans[0].events.map(\.at), [1, 5])
        XCTAssertThrowsError(try ConnTable().variants(ScenarioOptions(duration: 4, faultAt: 3.5))) { error in
            XCTAssertTrue("\(error)".contains("last census"), "\(error)")
        }
        XCTAssertThrowsError(try ConnTable().variants(ScenarioOptions(variants: ["short"])))
        XCTAssertEqual(try ScenarioCatalog.named("conn-table").name, "conn-table")
    }

    func testGaugesReadMemoryAndTheSlabCacheWhenItHasALine() {
        let meminfo = "MemTotal:         503000 kB\nMemFree:          400000 kB\nMemAvailable:     460123 kB\nSlab:              21000 kB\n"
        let slabinfo = "slabinfo - version: 2.1\n# name <active_objs> <num_objs> <objsize>\nip_vs_conn         1234   1300    320   25    2 : tunables    0    0    0\n"
        XCTAssertEqual(ConnTableGauges.parse(meminfo: meminfo, slabinfo: slabinfo),
                       ["mem_available_kb": 460123, "slab_kb": 21000, "ip_vs_conn_objects": 1234, "ip_vs_conn_object_bytes": 320])
        XCTAssertEqual(ConnTableGauges.parse(meminfo: meminfo, slabinfo: nil), ["mem_available_kb": 460123, "slab_kb": 21000])
        let sample = DirectorSample(t: 1, reals: ["a": .init(active: 3, inactive: 100), "b": .init(active: 2, inactive: 95)])
        XCTAssertEqual(ConnTableGauges.entries(sample), 200)
    }

    func testCensusSurvivesTheEventDetailAndNamesTheDominantState() throws {
        let census = ConnTableCensus(byState: ["TIME_WAIT": 4990, "ESTABLISHED": 10, "SYN_RECV": 10])
        XCTAssertEqual(census.description, "table by state: 5010 entries, TIME_WAIT 4990, ESTABLISHED 10, SYN_RECV 10")
        XCTAssertEqual(ConnTableCensus(describing: census.description), census)
        XCTAssertEqual(census.dominant, "TIME_WAIT")
        XCTAssertNil(ConnTableCensus(describing: "weight of real2 set to 0"))
        XCTAssertNil(ConnTableCensus(describing: "table by state: 7 entries, TIME_WAIT 5"), "counts that do not add up")
        XCTAssertNil(ConnTableCensus(byState: [:]).dominant)
    }

    /// A variant whose table grows linearly to `entries` over 40 s (a sample a second), ends
    /// with a census of `state`, and loses `lateLoss` of every interval in the fill's last third.
    static func variant(_ name: String, entries: UInt64, state: String, opened: UInt64 = 400, lateLoss: UInt64 = 0,
                        slabPerEntry: Double = 340) -> ScenarioVariant {
        let director = (0...40).map { s -> DirectorSample in
            let n = entries * UInt64(s) / 40
            return DirectorSample(t: Double(s), reals: ["198.18.2.11": .init(active: 0, inactive: n)],
                                  gauges: ["mem_available_kb": 460_000 - Double(n) * slabPerEntry / 1024,
                                           "slab_kb": 20_000 + Double(n) * slabPerEntry / 1024])
        }
        let client = (0..<80).map { i -> ClientInterval in
            let t = Double(i) * 0.5
            return ClientInterval(t: t, ok: 1000, failed: 0, timedOut: t >= 28 ? lateLoss : 0, connectionsOpened: opened,
                                  p99US: 2000, perReal: [:])
        }
        let census = ConnTableCensus(byState: [state: Int(entries), "ESTABLISHED": 5])
        let metrics = VariantMetrics(faultT: 1, baselineRPS: 2000, failedAfterFault: 0, timedOutAfterFault: 0, recoverySeconds: 0,
                                     disruptedSeconds: 0, p99BeforeUS: 2000, p99DuringUS: 2000, p99AfterUS: 2000, faultyReal: nil,
                                     scheduledToFaultyReal: nil, answeredByFaultyReal: nil, brokenConnections: 0, connections: 200)
        return ScenarioVariant(name: name, description: "", load: "", intervalSeconds: 0.5,
                               events: [ScenarioEvent(t: 1, what: "table by state: 10 entries, TIME_WAIT 10"),
                                        ScenarioEvent(t: 39, what: census.description)],
                               client: client, director: director, metrics: metrics)
    }

    func testVerdicts() {
        let shown = [
            Self.variant("defaults/nat/tcp-crr", entries: 60_000, state: "TIME_WAIT", lateLoss: 50),
            Self.variant("tutorial/nat/tcp-crr", entries: 20_000, state: "TIME_WAIT"),
            Self.variant("defaults/dr/tcp-crr", entries: 31_000, state: "FIN_WAIT", opened: 2000),
            Self.variant("tutorial/dr/tcp-crr", entries: 9_000, state: "FIN_WAIT"),
        ]
        let findings = ConnTable().findings(shown)
        XCTAssertEqual(findings.map(\.verdict), [.shown, .shown, .shown, .refuted, .shown])
        XCTAssertTrue(findings[0].evidence.contains("nat/tcp-crr: 60000 entries at the end"), findings[0].evidence)
        XCTAssertTrue(findings[0].evidence.contains("3.0× smaller"), findings[0].evidence)
        XCTAssertTrue(findings[2].evidence.contains("defaults/dr/tcp-crr: 160000 connections opened, peak 31000 entries (0.96 of 32256)"), findings[2].evidence)
        XCTAssertTrue(findings[3].evidence.contains("340 bytes per entry (Slab growth per entry)"), findings[3].evidence)
        XCTAssertTrue(findings[4].evidence.contains("first failing interval at 28.0 s"), findings[4].evidence)

        let refuted = [
            Self.variant("defaults/nat/tcp-crr", entries: 60_000, state: "TIME_WAIT"),
            Self.variant("tutorial/nat/tcp-crr", entries: 58_000, state: "CLOSE"),
            Self.variant("defaults/dr/tcp-crr", entries: 100_000, state: "FIN_WAIT", opened: 2000, slabPerEntry: 4500),
            Self.variant("tutorial/dr/tcp-crr", entries: 9_000, state: "FIN_WAIT"),
        ]
        XCTAssertEqual(ConnTable().findings(refuted).map(\.verdict), [.refuted, .refuted, .refuted, .shown, .refuted])
        XCTAssertEqual(ConnTable().findings([]).map(\.verdict), Array(repeating: .notMeasured, count: 5))
    }
}
