import Foundation
import Lab
import Results
import SystemKit
import Vocabulary

/// What a session measures in its labs: the matrix of `lvsbench run` (`MatrixPlan`) or the
/// curves of `lvsbench sweep` (`SweepPlan`). Everything around it is `ExperimentSession`'s.
protocol SessionPlan {
    /// The command, as the root check names it ("lvsbench run").
    var command: String { get }
    var outDir: String { get }
    var name: String { get }
    /// The summary's lab section, for a director on `directorHost`.
    func labSetup(directorHost: String) -> LabSetup
    /// Measures every lab on `bench`, recording each result in `recorder` as soon as it is
    /// complete; `onLab` must see each lab once it is up.
    func measure(on bench: LabBench, recorder: ResultRecorder, onLab: (any ExperimentLab) throws -> Void) throws
}

/// One session, end to end, for settings already validated: the host check, the summary
/// and its recorder, the plan's labs measured and recorded as they finish, the reports.
enum ExperimentSession {
    static func run(_ plan: some SessionPlan, commandLine: [String], progress: ProgressLine) throws -> SessionOutcome {
        // From the start, so a signal at any point ends in cleanup and the signal's exit code.
        SignalTrap.install()
        try Privileges.requireRoot(for: plan.command)
        try SessionContext.requireTools()
        let directorHost = try LabEngine.resolveDirectorHost(.auto)
        let summary = Summary(name: plan.name, startedAt: Date(), host: HostInfo.current(),
                              directorHost: directorHost.rawValue, commandLine: commandLine,
                              lab: plan.labSetup(directorHost: directorHost.rawValue), toolVersions: SessionContext.toolVersions())
        // A signal before anything exists ends here, with nothing to clean up.
        try SignalTrap.check()
        let recorder = try ResultRecorder(root: plan.outDir, summary: summary)
        let bench = LabBench(labs: EngineLabFactory(progress: { progress.show($0); progress.phase("build", $0) }),
                             load: LoadProbe(executable: LabEnvironment.executable), meter: CollectorMeter(),
                             interrupted: { SignalTrap.interrupted }, progress: progress)
        do {
            var directorKnown = false
            try plan.measure(on: bench, recorder: recorder, onLab: { lab in
                guard !directorKnown else { return }
                directorKnown = true
                try recorder.setDirectorHost(lab.directorHost, directorKernel: SessionContext.kernel(of: lab.director))
            })
            // The labs are down and every measurement recorded; a signal before this marker
            // still ends the run as interrupted, one after it finds nothing left to stop.
            progress.phase("done")
            try SignalTrap.check()
        } catch {
            throw recorder.abandon(after: error)
        }
        return try recorder.finish(complete: true)
    }
}
