import Foundation
import Lab
import Results
import SystemKit
import Tuner

/// `lvsbench run` end to end: check the host (nothing is created before this passes), then
/// the matrix in an `ExperimentSession`, every cell recorded as it finishes.
public enum RunSession {
    /// Runs `settings`; `library` resolves their profiles (nil: none installed).
    public static func run(_ settings: RunSettings, library: ProfileLibrary? = LabTuning.locateLibrary(),
                           commandLine: [String], progress: ProgressLine = ProgressLine()) throws -> SessionOutcome {
        // Before the host checks too: a signal at any point ends with the signal's exit code.
        SignalTrap.install()
        try settings.checkHost(knownProfiles: (try? library?.names()) ?? nil)
        guard let library else {
            throw InvalidInput("no profiles directory found: set LVSBENCH_PROFILES to the repository's profiles/ folder")
        }
        let tuning = LabTuning(library: library)
        // Before anything is built: a balancer that can run none of its cells is refused.
        let refusal = Matrix.directorRefusal(profileRefusal: tuning.refusal(profile:balancer:))
        let matrix = try Matrix.checked(settings, refusal: refusal)
        return try ExperimentSession.run(MatrixPlan(settings: settings, tuning: tuning, refusal: refusal,
                                                    notMeasured: matrix.notMeasured),
                                         commandLine: commandLine, progress: progress)
    }
}

/// The matrix as a session's plan: one lab per mode and balancer, every cell recorded with
/// its samples, the cells no balancer could run listed in the summary's lab section.
struct MatrixPlan: SessionPlan {
    var settings: RunSettings
    var tuning: ProfileTuning
    var refusal: CellRefusal
    var notMeasured: [NotMeasured]

    var command: String { "lvsbench run" }
    var outDir: String { settings.outDir }
    var name: String { settings.name }

    func labSetup(directorHost: String) -> LabSetup {
        LabSetup(modes: settings.modes, reals: [settings.reals], weights: settings.weightSets[0],
                 directorHost: directorHost, profiles: settings.profiles, loads: [settings.load],
                 balancers: settings.balancers, notMeasured: notMeasured)
    }

    func measure(on bench: LabBench, recorder: ResultRecorder, onLab: (any ExperimentLab) throws -> Void) throws {
        var runner = MatrixRunner(settings: settings, bench: bench, tuning: tuning)
        runner.refusal = refusal
        try runner.run(onLab: onLab) { measured in
            let lines = measured.repeats.enumerated().flatMap { i, r in
                r.counters.samples.map { (label: measured.spec.id, repeatIndex: i + 1, sample: $0) }
            }
            try recorder.add(CellSummarizer.cell(measured), samples: lines)
        }
    }
}
