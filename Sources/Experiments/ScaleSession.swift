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

/// Scale as a session's plan: a lab per balancer, built like the session's own labs but
/// with that balancer on the director.
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
        let progress = bench.progress
        let runner = ScaleRunner(settings: settings, bench: bench, labs: { kind in
            ScaleLabFactory(balancer: kind, progress: { progress.show($0); progress.phase("build", $0) })
        })
        try runner.run(onLab: onLab) { kind, curve in try recorder.setScale(kind.rawValue, curve) }
    }
}

/// Builds NAT labs with rr whose director runs `balancer` (`LabSpec.balancer`), named and
/// built as `EngineLabFactory` builds the labs of `run` and `sweep`.
struct ScaleLabFactory: LabFactory {
    var balancer: BalancerKind
    var director: DirectorChoice = .auto
    var progress: @Sendable (String) -> Void

    func build(mode: LabMode, reals: Int) throws -> any ExperimentLab {
        let spec = LabSpec(name: EngineLabFactory.labName(mode: mode), mode: mode, reals: reals, scheduler: .rr,
                           weights: nil, persistence: nil, director: director, balancer: balancer)
        return EngineLab(lab: try LabEngine.up(spec, progress: progress), mode: mode)
    }
}
