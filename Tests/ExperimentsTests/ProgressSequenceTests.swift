import Foundation
import XCTest
@testable import Experiments

/// The progress lines and phase markers of the matrix and the sweep, in order: the interrupt
/// suite aims its signals by the markers, and a person watching reads the lines, so both
/// stay word for word what they were when the two shared no code.
final class ProgressSequenceTests: XCTestCase {
    /// Everything a `ProgressLine` wrote, one entry per line without the terminal's
    /// line-clearing prefix.
    private final class Written: @unchecked Sendable {
        private let lock = NSLock()
        private var texts: [String] = []
        var lines: [String] { lock.withLock { texts } }
        func add(_ text: String) {
            let plain = text.replacingOccurrences(of: "\r\u{1B}[K", with: "")
            lock.withLock { texts.append(plain.hasSuffix("\n") ? String(plain.dropLast()) : plain) }
        }
    }

    private func progress(_ written: Written) -> ProgressLine {
        ProgressLine(enabled: true, markers: true, write: { written.add($0) })
    }

    func testTheMatrixAnnouncesEveryStretchOfEveryRepeat() throws {
        let journal = Journal()
        let labs = FakeLabs(journal: journal)
        let written = Written()
        let settings = RunSettings(modes: [.nat], schedulers: [.rr], profiles: ["default"], reals: 4,
                                   weightSets: [[5, 5, 1, 1]], load: .http, connections: nil, rate: nil, duration: 2,
                                   warmup: 1, repeats: 2, outDir: "results", name: "t")
        let runner = MatrixRunner(settings: settings, labs: labs, load: FakeLoad(journal: journal, labs: labs),
                                  meter: FakeMeter(journal: journal), tuning: FakeTuning(journal: journal),
                                  interrupted: { false }, progress: progress(written))
        try runner.run { _ in }
        let id = "nat-rr-default-w5.5.1.1"
        let cell = "cell 1/1 nat rr default"
        let repeatStretches = ["plain", "direct", "window", "direct", "plain"].map { "lvsbench-phase: \($0) \(id)" }
        XCTAssertEqual(written.lines, [
            "building the nat lab with 4 reals ...", "lvsbench-phase: build nat lab", "lvsbench-phase: tuning default",
            "\(cell): warm-up", "lvsbench-phase: warm-up \(cell)", "\(cell): repeat 1/2"] + repeatStretches
            + ["\(cell): repeat 2/2, 2000 req/s (direct 500)"] + repeatStretches
            + ["\(cell): 2000 req/s (direct 500)", "lvsbench-phase: teardown nat", "1 cells measured"])
    }

    func testTheSweepAnnouncesTheWarmUpAndTheWindowOfEveryPoint() throws {
        let journal = Journal()
        let labs = FakeLabs(journal: journal)
        let load = FakeLoad(journal: journal, labs: labs)
        load.perReal = 400
        let written = Written()
        let settings = SweepSettings(modes: [.nat], realCounts: [1, 2], cap: .bytesPerSecond(409_600), connections: nil,
                                     duration: 2, warmup: 1, outDir: "results", name: "s")
        var runner = SweepRunner(settings: settings, labs: labs, load: load, meter: FakeMeter(journal: journal),
                                 interrupted: { false }, progress: progress(written))
        runner.capReal = { _, _ in }
        runner.uncapReal = { _ in }
        try runner.run { _ in }
        func point(_ n: Int, rps: Int) -> [String] {
            ["nat: \(n) reals, warm-up", "lvsbench-phase: warm-up nat \(n) reals", "nat: \(n) reals, measuring",
             "lvsbench-phase: window nat \(n) reals", "nat: plain-forward reference", "nat: \(n) reals: \(rps) req/s"]
        }
        let lines = written.lines
        XCTAssertEqual(Array(lines.dropLast()),
                       ["building the nat lab with 2 reals ...", "lvsbench-phase: build nat lab"]
                       + point(1, rps: 400) + point(2, rps: 800) + ["lvsbench-phase: teardown nat"])
        XCTAssertTrue(lines.last?.hasPrefix("nat: knee at ") == true, "\(lines)")
    }

    func testAFailedWindowAnnouncesOneTeardown() {
        let journal = Journal()
        let labs = FakeLabs(journal: journal)
        let load = FakeLoad(journal: journal, labs: labs)
        load.failOnCall = 2
        let written = Written()
        var runner = SweepRunner(settings: SweepSettings(modes: [.nat], realCounts: [1], cap: .bytesPerSecond(409_600),
                                                         connections: nil, duration: 1, warmup: 1, outDir: "results",
                                                         name: "s"),
                                 labs: labs, load: load, meter: FakeMeter(journal: journal), interrupted: { false },
                                 progress: ProgressLine(enabled: false, markers: true, write: { written.add($0) }))
        runner.capReal = { _, _ in }
        XCTAssertThrowsError(try runner.run { _ in XCTFail("no curve without its window") })
        XCTAssertEqual(written.lines, ["lvsbench-phase: build nat lab", "lvsbench-phase: warm-up nat 1 reals",
                                       "lvsbench-phase: window nat 1 reals", "lvsbench-phase: teardown nat"])
        XCTAssertEqual(Array(journal.events.suffix(2)), ["meter abandon", "down nat"])
    }
}
