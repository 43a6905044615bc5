import Foundation
import IPVSControl
import SystemKit
import Tuner
import XCTest
@testable import Experiments
import Vocabulary

/// A cleanup step that fails is reported, never swallowed, and a message says "cleaned up"
/// only when everything was; interruptions keep the signal's exit code.
final class CleanupReportingTests: XCTestCase {
    private func settings(modes: [LabMode] = [.nat]) -> RunSettings {
        RunSettings(modes: modes, schedulers: [.rr, .wrr], profiles: ["default"], reals: 2, weightSets: [[1, 1]],
                    load: .http, connections: nil, rate: nil, duration: 1, warmup: 0, repeats: 1,
                    outDir: "results", name: "t")
    }

    private func runner(_ journal: Journal, interrupted: @escaping () -> Bool = { false })
        -> (MatrixRunner, FakeLabs, FakeLoad, FakeTuning) {
        let labs = FakeLabs(journal: journal)
        let load = FakeLoad(journal: journal, labs: labs)
        let tuning = FakeTuning(journal: journal)
        let r = MatrixRunner(settings: settings(), labs: labs, load: load, meter: FakeMeter(journal: journal),
                             tuning: tuning, interrupted: interrupted, progress: ProgressLine(enabled: false, markers: false))
        return (r, labs, load, tuning)
    }

    func testATeardownThatFailsAfterAnErrorIsReportedWithIt() {
        let journal = Journal()
        let (r, labs, load, _) = runner(journal)
        load.failOnCall = 2
        labs.tearDownFailure = "ip netns delete x-nat-real1 failed"
        XCTAssertThrowsError(try r.run { _ in }) { error in
            XCTAssertTrue(error is CleanupFailed, "\(error)")
            let text = "\(error)"
            XCTAssertTrue(text.contains("load failed on purpose"), text)
            XCTAssertTrue(text.contains("ip netns delete x-nat-real1 failed"), text)
            XCTAssertTrue(text.contains("lvsbench lab down --all"), text)
            XCTAssertEqual((error as? UserFacingError)?.exitStatus, .failure)
        }
    }

    func testAnInterruptionWhoseTeardownFailsNamesWhatIsLeftAndNeverSaysCleanedUp() {
        let journal = Journal()
        var signalled = false
        let (r, labs, load, _) = runner(journal, interrupted: { signalled })
        load.onCall = { if $0 == 2 { signalled = true } }
        labs.tearDownFailure = "could not stop nginx real1 (pid 42)"
        XCTAssertThrowsError(try r.run { _ in }) { error in
            let interrupted = error as? Interrupted
            XCTAssertNotNil(interrupted, "\(error)")
            XCTAssertEqual(interrupted?.left, ["could not stop nginx real1 (pid 42)"])
            XCTAssertFalse("\(error)".contains("cleaned up"), "\(error)")
            XCTAssertEqual(interrupted?.exitStatus, .failure)
        }
    }

    func testAnInterruptionWithACleanTeardownSaysSoAndKeepsTheSignalsCode() {
        let journal = Journal()
        var signalled = false
        let (r, _, load, _) = runner(journal, interrupted: { signalled })
        load.onCall = { if $0 == 2 { signalled = true } }
        XCTAssertThrowsError(try r.run { _ in }) { error in
            XCTAssertEqual(error as? Interrupted, Interrupted(signal: SIGINT))
            XCTAssertEqual("\(error)", "interrupted by SIGINT: cleaned up what was built")
            XCTAssertEqual((error as? Interrupted)?.exitStatus, .interrupted)
        }
        XCTAssertEqual(journal.events.last, "down nat")
    }

    func testASignalDuringTheLastTeardownEndsTheRunInterruptedWithEveryCellKept() {
        let journal = Journal()
        var signalled = false
        let (r, labs, _, _) = runner(journal, interrupted: { signalled })
        labs.onTearDown = { signalled = true }
        var cells = 0
        XCTAssertThrowsError(try r.run { _ in cells += 1 }) { XCTAssertTrue($0 is Interrupted, "\($0)") }
        XCTAssertEqual(cells, 2)
        XCTAssertEqual(journal.events.last, "down nat")
    }

    func testARestoreThatFailsAtTheEndStillTearsDownAndReportsBoth() {
        let journal = Journal()
        let (r, labs, _, tuning) = runner(journal)
        tuning.restoreFailure = "restore failed on purpose"
        tuning.restoreFailsFrom = 2   // the first restore comes before the profile, the second at the end
        labs.tearDownFailure = "namespace busy"
        XCTAssertThrowsError(try r.run { _ in }) { error in
            XCTAssertTrue(error is CleanupFailed, "\(error)")
            XCTAssertTrue("\(error)".contains("restore failed on purpose"), "\(error)")
            XCTAssertTrue("\(error)".contains("namespace busy"), "\(error)")
        }
        XCTAssertEqual(journal.events.last, "down nat")
    }

    func testARestoreThatFailsOnTheErrorPathDoesNotMatterWhenTheTeardownRestores() {
        let journal = Journal()
        let (r, _, load, tuning) = runner(journal)
        load.failOnCall = 2
        tuning.restoreFailure = "restore failed on purpose"
        tuning.restoreFailsFrom = 2
        XCTAssertThrowsError(try r.run { _ in }) { XCTAssertEqual("\($0)", "load failed on purpose") }
        XCTAssertEqual(Array(journal.events.suffix(3)), ["meter abandon", "restore", "down nat"])
    }

    func testASweepTeardownThatFailsIsReported() {
        let journal = Journal()
        let labs = FakeLabs(journal: journal)
        let load = FakeLoad(journal: journal, labs: labs)
        load.failOnCall = 1
        labs.tearDownFailure = "lab x-nat: could not stop uml director (pid 7)"
        var runner = SweepRunner(settings: SweepSettings(modes: [.nat], realCounts: [1, 2], cap: .bytesPerSecond(409_600),
                                                         connections: nil, duration: 1, warmup: 1, outDir: "results",
                                                         name: "s"),
                                 labs: labs, load: load, meter: FakeMeter(journal: journal), interrupted: { false },
                                 progress: ProgressLine(enabled: false, markers: false))
        runner.capReal = { _, _ in }
        XCTAssertThrowsError(try runner.run { _ in }) { error in
            XCTAssertTrue(error is CleanupFailed, "\(error)")
            XCTAssertTrue("\(error)".contains("could not stop uml director"), "\(error)")
        }
    }

    func testEachSignalHasItsOwnExitCode() {
        XCTAssertEqual(ExitStatus.interrupted(by: SIGINT).rawValue, 130)
        XCTAssertEqual(ExitStatus.interrupted(by: SIGTERM).rawValue, 143)
        XCTAssertEqual(ExitStatus.interrupted(by: SIGHUP).rawValue, 129)
        XCTAssertEqual(Interrupted(signal: SIGHUP).exitStatus, .hangup)
        XCTAssertEqual("\(Interrupted(signal: SIGTERM))", "interrupted by SIGTERM: cleaned up what was built")
    }

    func testAnOutcomeKeepsTheInterruptionAndGathersWhatIsLeft() {
        let inner = CleanupFailed(cause: RuntimeFailure("curl failed"), left: ["namespace a"])
        let outcome = CleanupFailed.outcome(of: inner, left: ["namespace b"], interrupted: true)
        XCTAssertEqual((outcome as? Interrupted)?.left, ["namespace a", "namespace b"])
        let plain = CleanupFailed.outcome(of: RuntimeFailure("x"), left: [], interrupted: false)
        XCTAssertEqual(plain as? RuntimeFailure, RuntimeFailure("x"))
    }

    func testATuningInterruptedWithValuesLeftChangedIsAFailureNotAnInterruption() {
        XCTAssertEqual(TunerError.interrupted(rolledBack: true).exitStatus, .interrupted)
        XCTAssertEqual(TunerError.interrupted(rolledBack: false).exitStatus, .failure)
    }
}
