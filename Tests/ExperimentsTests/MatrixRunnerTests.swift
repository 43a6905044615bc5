import XCTest
import IPVSControl
import SystemKit
@testable import Experiments
import Vocabulary

final class MatrixRunnerTests: XCTestCase {
    private func settings(modes: [LabMode] = [.nat, .dr], schedulers: [Scheduler] = [.rr, .wrr],
                          profiles: [String] = ["default"], repeats: Int = 1) -> RunSettings {
        RunSettings(modes: modes, schedulers: schedulers, profiles: profiles, reals: 4, weightSets: [[5, 5, 1, 1]],
                    load: .http, connections: nil, rate: nil, duration: 2, warmup: 1, repeats: repeats,
                    outDir: "results", name: "t")
    }

    private func runner(_ s: RunSettings, _ journal: Journal, interrupted: @escaping () -> Bool = { false },
                        tuning: FakeTuning? = nil) -> (MatrixRunner, FakeLabs, FakeLoad) {
        let labs = FakeLabs(journal: journal)
        let load = FakeLoad(journal: journal, labs: labs)
        let r = MatrixRunner(settings: s, labs: labs, load: load, meter: FakeMeter(journal: journal),
                             tuning: tuning ?? FakeTuning(journal: journal), interrupted: interrupted,
                             progress: ProgressLine(enabled: false))
        return (r, labs, load)
    }

    func testOneLabPerModeReconfiguredBetweenCells() throws {
        let journal = Journal()
        let (r, labs, _) = runner(settings(), journal)
        var cells: [CellMeasurement] = []
        try r.run { cells.append($0) }
        XCTAssertEqual(labs.built.map(\.mode), [.nat, .dr])
        XCTAssertEqual(cells.map(\.spec.id), ["nat-rr-default-w5.5.1.1", "nat-wrr-default-w5.5.1.1",
                                              "dr-rr-default-w5.5.1.1", "dr-wrr-default-w5.5.1.1"])
        let nat = Array(journal.events.prefix(while: { $0 != "down nat" }))
        // Each repeat: plain-forward and direct references half a window before and after it.
        let aba = ["reference start", "load 198.19.253.2 1000ms", "reference stop", "load 198.18.1.1 1000ms",
                   "meter start", "load 198.18.0.100 2000ms", "meter end",
                   "load 198.18.1.1 1000ms", "reference start", "load 198.19.253.2 1000ms", "reference stop", "meter stop"]
        XCTAssertEqual(nat, [
            "up nat 4", "check default", "restore", "tune default",
            "configure rr 5,5,1,1", "load 198.18.0.100 1000ms"] + aba + ["configure wrr 5,5,1,1", "load 198.18.0.100 1000ms"]
            + aba + ["restore"])
        XCTAssertEqual(journal.events.filter { $0.hasPrefix("up") }.count, 2)
        XCTAssertEqual(journal.events.last, "down dr")
        XCTAssertEqual(cells[1].realNames, ["real1", "real2", "real3", "real4"])
        XCTAssertEqual(cells[1].repeats.count, 1)
        XCTAssertGreaterThan(cells[1].repeats[0].direct.rps, 0)
        XCTAssertNotNil(cells[1].repeats[0].directAfter)
        XCTAssertEqual(cells[1].repeats[0].plain?.map(\.director.packets), [20_000, 20_000])
    }

    /// An IPVS lab reschedules reused client ports once its profiles are checked, before its
    /// first cell, and nothing else runs in the director; another balancer's lab is left alone.
    func testIPVSLabsRescheduleReusedPortsBeforeTheFirstCell() throws {
        let journal = Journal()
        var s = settings()
        s.balancers = [.ipvs, .nftables]
        let (r, labs, _) = runner(s, journal)
        labs.journalDirector = true
        try r.run { _ in }
        let sysctl = "director sysctl -q -w net.ipv4.vs.conn_reuse_mode=3"
        for mode in ["nat", "dr"] {
            let up = try XCTUnwrap(journal.events.firstIndex(of: "up \(mode) 4"))
            XCTAssertEqual(Array(journal.events[up...].prefix(3)), ["up \(mode) 4", "check default", sysctl], mode)
        }
        XCTAssertEqual(journal.events.filter { $0.hasPrefix("director ") }, [sysctl, sysctl], "IPVS labs only, once each")
    }

    func testRepeatsAndProfilesAreHonoured() throws {
        let journal = Journal()
        let (r, _, _) = runner(settings(modes: [.tun], schedulers: [.lc], profiles: ["a", "b"], repeats: 3), journal)
        var cells: [CellMeasurement] = []
        try r.run { cells.append($0) }
        XCTAssertEqual(cells.map { $0.repeats.count }, [3, 3])
        XCTAssertEqual(journal.events.filter { $0.hasPrefix("tune") }, ["tune a", "tune b"])
        XCTAssertEqual(journal.events.filter { $0 == "meter start" }.count, 6)
    }

    func testRefusedProfileStopsBeforeAnyCell() {
        let journal = Journal()
        let tuning = FakeTuning(journal: journal)
        tuning.refused = "b"
        let (r, _, load) = runner(settings(profiles: ["a", "b"]), journal, tuning: tuning)
        XCTAssertThrowsError(try r.run { _ in XCTFail("no cell is measured") }) {
            XCTAssertEqual("\($0)", "profile b refused")
        }
        XCTAssertEqual(load.calls, 0)
        XCTAssertEqual(journal.events.last, "down nat")
    }

    func testFailureTearsDownAndRestores() {
        let journal = Journal()
        let (r, _, load) = runner(settings(), journal)
        load.failOnCall = 7   // the second cell's warm-up in the nat lab (a cell: warm-up and 5 loads)
        var cells = 0
        XCTAssertThrowsError(try r.run { _ in cells += 1 }) { XCTAssertEqual("\($0)", "load failed on purpose") }
        XCTAssertEqual(cells, 1)
        XCTAssertEqual(Array(journal.events.suffix(3)), ["meter abandon", "restore", "down nat"])
        XCTAssertFalse(journal.events.contains("up dr"))
    }

    func testInterruptionStopsBeforeTheNextStepAndCleansUp() {
        let journal = Journal()
        var signalled = false
        let (r, _, load) = runner(settings(), journal, interrupted: { signalled })
        load.onCall = { if $0 == 2 { signalled = true } }
        XCTAssertThrowsError(try r.run { _ in XCTFail("no cell completes") }) { error in
            XCTAssertEqual((error as? Interrupted)?.exitStatus, .interrupted)
        }
        XCTAssertEqual(journal.events.last, "down nat")
        XCTAssertTrue(journal.events.contains("restore"))
    }
}
