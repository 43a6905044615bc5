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
        var curves: [SweepCurve] = []
        try runner.run { curves.append($0) }
        XCTAssertEqual(journal.events.filter { $0.hasPrefix("up") }, ["up nat 12", "up dr 12"])
        XCTAssertEqual(capped.count, 24)
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
}
