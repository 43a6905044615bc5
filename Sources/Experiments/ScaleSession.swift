import Foundation
import Lab
import Results
import SystemKit
import Vocabulary

/// `lvsbench scale` end to end: check the host, then one NAT lab per balancer in an
/// `ExperimentSession`, every balancer's curve recorded once its lab is down.
public enum ScaleSession {
    public static func run(_ settings: ScaleSettings, commandLine: [String],
                           progress: ProgressLine = ProgressLine()) throws -> SessionOutcome {
        // Before the host check too: a signal at any point ends with the signal's exit code.
        SignalTrap.install()
        try settings.checkHost()
        return try ExperimentSession.run(ScalePlan(settings: settings),
                                         commandLine: commandLine, progress: progress)
    }
}

/// Scale as a session's plan: a NAT lab per balancer.
struct ScalePlan: SessionPlan {
    var settings: ScaleSettings

    var command: String { "lvsbench scale" }
    var outDir: String { settings.outDir }
    var name: String { settings.name }

    func labSetup(directorHost: String) -> LabSetup {
        LabSetup(modes: [.nat], reals: [settings.reals], weights: [], directorHost: directorHost,
                 profiles: ["default"], loads: [settings.load])
    }

    func measure(on bench: LabBench, recorder: ResultRecorder, onLab: (any ExperimentLab) throws -> Void) throws {
        try ScaleRunner(settings: settings, bench: bench).run(onLab: onLab) { kind, curve in try recorder.setScale(kind.rawValue, curve) }
    }
}
