import XCTest
import IPVSControl
import Lab
@testable import Experiments

final class SweepRunnerTests: XCTestCase {
    func testLabBuiltOncePerModeAndRealsSwitchedByWeight() throws {
        let journal = Journal()
        let labs = FakeLabs(journal: journal)
        let load = FakeLoad(journal: journal, labs: labs)
        load.perReal = 400
        load.limit = 3000
        let settings = SweepSettings(modes: [.nat, .dr], realCounts: [1, 2, 4, 8, 12], cap: .bytesPerSecond(409_600),
                                     connections: nil, duration: 2, warmup: 1, outDir: "results", name: "s")
        var runner = SweepRunner(settings: settings, labs: labs, load: load, meter: FakeMeter(journal: journal),
                                 interrupted: { false }, progress: ProgressLine(enabled: false))
        var capped: [String] = []
        runner.capReal = { node, bytes in capped.append("\(node.name)@\(bytes)") }
        var uncapped: [String] = []
        runner.uncapReal = { uncapped.append($0.name) }
        var curves: [SweepCurve] = []
        try runner.run { curves.append($0) }
        XCTAssertEqual(journal.events.filter { $0.hasPrefix("up") }, ["up nat 12", "up dr 12"])
        // 12 reals capped per lab, and real1 re-capped after each point's plain-forward reference.
        XCTAssertEqual(capped.count, 24 + 10)
        XCTAssertEqual(uncapped, Array(repeating: "real1", count: 10))
        XCTAssertEqual(journal.events.filter { $0 == "load 198.19.253.2 1000ms" }.count, 10)
        XCTAssertEqual(capped.first, "real1@409600")
        XCTAssertTrue(journal.events.contains("configure rr 1,1,1,1,0,0,0,0,0,0,0,0"))
        XCTAssertEqual(curves.map(\.mode), [.nat, .dr])
        XCTAssertEqual(curves[0].points.map(\.reals), [1, 2, 4, 8, 12])
        XCTAssertEqual(curves[0].points.map(\.rps), [400, 800, 1600, 3000, 3000])
        // 4 -> 8 adds 350 per real (>= 200), 8 -> 12 adds nothing: the knee is 8.
        XCTAssertEqual(curves[0].kneeReals, 8)
        XCTAssertEqual(curves[0].modeSweep.kneeReals, 8)
        XCTAssertEqual(curves[0].modeSweep.capacity?.requestsPerSecond, 3000)
        XCTAssertEqual(curves[0].summaryPoints[0].directorPPS, 55, "110 packets over a 2 s window")
        // The fake meter: 90% of 2 s over 60,000 packets with IPVS, 50% of 1 s over 20,000 without.
        let cost = try XCTUnwrap(curves[0].summaryPoints[0].plainForward)
        XCTAssertEqual(cost.usPerPacketIPVS, 30, accuracy: 1e-9)
        XCTAssertEqual(cost.usPerPacketPlain, 25, accuracy: 1e-9)
        XCTAssertEqual(cost.ipvsUsPerPacket, 5, accuracy: 1e-9)
        XCTAssertNil(cost.usPerConnIPVS, "keep-alive: no per-connection cost")
        // The fake's plain-forward side ran at 50% CPU: an unsaturated reference gives no IPVS cost.
        XCTAssertNotNil(curves[0].modeSweep.capacity)
        XCTAssertNil(curves[0].modeSweep.capacity?.ipvsMicrosecondsPerPacket)
    }

    func testRequestRateCapUsesMeasuredWireBytes() throws {
        let journal = Journal()
        let labs = FakeLabs(journal: journal)
        let load = FakeLoad(journal: journal, labs: labs)
        let settings = SweepSettings(modes: [.tun], realCounts: [1, 2], cap: .requestsPerSecond(100),
                                     connections: 4, duration: 1, warmup: 1, outDir: "results", name: "s")
        var runner = SweepRunner(settings: settings, labs: labs, load: load, meter: FakeMeter(journal: journal),
                                 interrupted: { false }, progress: ProgressLine(enabled: false))
        var caps: Set<Int> = []
        runner.capReal = { _, bytes in caps.insert(bytes) }
        runner.wireBytesPerResponse = { _, _ in 1000.5 }
        var curves: [SweepCurve] = []
        try runner.run { curves.append($0) }
        XCTAssertEqual(caps, [100_050])
        XCTAssertEqual(curves.first?.capBytesPerSecond, 100_050)
    }

    func testAPointIsTheWindowThenThePlainReferenceWithReal1UncappedAndNoZeroWarmUp() throws {
        let journal = Journal()
        let labs = FakeLabs(journal: journal)
        let settings = SweepSettings(modes: [.nat], realCounts: [1], cap: .bytesPerSecond(409_600), connections: nil,
                                     duration: 2, warmup: 0, outDir: "results", name: "s")
        var runner = SweepRunner(settings: settings, labs: labs, load: FakeLoad(journal: journal, labs: labs),
                                 meter: FakeMeter(journal: journal), interrupted: { false },
                                 progress: ProgressLine(enabled: false, markers: false))
        runner.capReal = { journal.events.append("cap \($0.name) \($1)") }
        runner.uncapReal = { journal.events.append("uncap \($0.name)") }
        var curves: [SweepCurve] = []
        try runner.run { curves.append($0) }
        // A zero warm-up runs no load at all (the generator refuses a zero duration).
        XCTAssertEqual(journal.events, [
            "up nat 1", "cap real1 409600", "configure rr 1", "meter start", "load 198.18.0.100 2000ms", "meter end",
            "uncap real1", "reference start", "load 198.19.253.2 1000ms", "reference stop", "cap real1 409600",
            "meter stop", "down nat",
        ])
        XCTAssertEqual(curves.first?.points.first?.plain?.director.packets, 20_000)
    }

    /// Every mode's director reschedules reused client ports (conn_reuse_mode 3) before the
    /// first point, so the reals a later point adds get their share of a busy client's ports.
    func testEveryModesDirectorReschedulesReusedPortsBeforeTheFirstPoint() throws {
        let journal = Journal()
        let labs = FakeLabs(journal: journal)
        labs.journalDirector = true
        let settings = SweepSettings(modes: [.nat, .dr, .tun], realCounts: [1, 2], cap: .bytesPerSecond(409_600),
                                     connections: nil, duration: 1, warmup: 0, outDir: "results", name: "s")
        var runner = SweepRunner(settings: settings, labs: labs, load: FakeLoad(journal: journal, labs: labs),
                                 meter: FakeMeter(journal: journal), interrupted: { false },
                                 progress: ProgressLine(enabled: false, markers: false))
        runner.capReal = { journal.events.append("cap \($0.name) \($1)") }
        runner.uncapReal = { journal.events.append("uncap \($0.name)") }
        try runner.run { _ in }
        let sysctl = "director sysctl -q -w net.ipv4.vs.conn_reuse_mode=3"
        for mode in ["nat", "dr", "tun"] {
            let up = try XCTUnwrap(journal.events.firstIndex(of: "up \(mode) 2"))
            XCTAssertEqual(Array(journal.events[up...].prefix(4)),
                           ["up \(mode) 2", sysctl, "cap real1 409600", "cap real2 409600"], mode)
        }
        XCTAssertEqual(journal.events.filter { $0.hasPrefix("director ") }, Array(repeating: sysctl, count: 3),
                       "once per lab, nothing else run in the director")
    }
}
