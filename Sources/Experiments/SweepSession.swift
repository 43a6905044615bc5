import Foundation
import Results
import SystemKit
import Vocabulary

/// `lvsbench sweep` end to end: check the host, then the sweep in an `ExperimentSession`,
/// every mode's curve recorded once its lab is down.
public enum SweepSession {
    public static func run(_ settings: SweepSettings, commandLine: [String],
                           progress: ProgressLine = ProgressLine()) throws -> SessionOutcome {
        // Before the host check too: a signal at any point ends with the signal's exit code.
        SignalTrap.install()
        try settings.checkHost()
        return try ExperimentSession.run(SweepPlan(settings: settings), commandLine: commandLine, progress: progress)
    }
}

/// The sweep as a session's plan: one lab per mode with the largest number of reals.
struct SweepPlan: SessionPlan {
    var settings: SweepSettings

    var command: String { "lvsbench sweep" }
    var outDir: String { settings.outDir }
    var name: String { settings.name }

    func labSetup(directorHost: String) -> LabSetup {
        var setup = LabSetup(modes: settings.modes, reals: settings.realCounts, weights: [],
                             directorHost: directorHost, profiles: ["default"], loads: [settings.load])
        switch settings.cap {
        case .bytesPerSecond(let b): setup.realRateBytesPerSecond = Double(b)
        case .requestsPerSecond(let r): setup.realRPS = Double(r)
        }
        return setup
    }

    func measure(on bench: LabBench, recorder: ResultRecorder, onLab: (any ExperimentLab) throws -> Void) throws {
        try SweepRunner(settings: settings, bench: bench).run(onLab: onLab) { curve in
            let lines = curve.points.flatMap { p in
                p.counters.samples.map { (label: "sweep-\(curve.mode.rawValue)-\(p.reals)", repeatIndex: 1, sample: $0) }
            }
            try recorder.setSweep(curve.mode.rawValue, curve.modeSweep, samples: lines)
        }
    }
}
