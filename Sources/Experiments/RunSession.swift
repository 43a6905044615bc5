import Foundation
import Lab
import Results
import SystemKit

/// `lvsbench run` end to end: validate (nothing is created before this passes), build and
/// measure the matrix, record every cell as it finishes, render the reports.
public enum RunSession {
    public static func run(_ request: RunRequest, commandLine: [String],
                           progress: ProgressLine = ProgressLine()) throws -> SessionOutcome {
        // From the start, so a signal at any point ends in cleanup and the signal's exit code.
        SignalTrap.install()
        let library = LabTuning.locateLibrary()
        let known = (try? library?.names()) ?? nil
        let settings = try RunSettings.validated(request, knownProfiles: known)
        guard let library else {
            throw InvalidInput("no profiles directory found: set LVSBENCH_PROFILES to the repository's profiles/ folder")
        }
        try Privileges.requireRoot(for: "lvsbench run")
        try SessionContext.requireTools()
        let backend = try LabEngine.resolveBackend(.auto)
        let summary = Summary(name: settings.name, startedAt: Date(), host: HostInfo.current(),
                              directorBackend: backend.rawValue, commandLine: commandLine,
                              lab: LabSetup(modes: settings.modes.map(\.rawValue), reals: [settings.reals],
                                            weights: settings.weightSets[0], directorBackend: backend.rawValue,
                                            profiles: settings.profiles, loads: [settings.load.rawValue]),
                              toolVersions: SessionContext.toolVersions())
        // A signal before anything exists ends here, with nothing to clean up.
        try SignalTrap.check()
        let recorder = try ResultRecorder(root: settings.outDir, summary: summary)
        let runner = MatrixRunner(settings: settings,
                                  labs: EngineLabFactory(progress: { progress.show($0); progress.phase("build", $0) }),
                                  load: LoadProbe(executable: LabEnvironment.executable),
                                  meter: CollectorMeter(), tuning: LabTuning(library: library),
                                  interrupted: { SignalTrap.interrupted }, progress: progress)
        do {
            var directorKnown = false
            try runner.run(onLab: { lab in
                guard !directorKnown else { return }
                directorKnown = true
                try recorder.setDirectorBackend(lab.directorBackend, directorKernel: SessionContext.kernel(of: lab.director))
            }, onCell: { measured in
                let lines = measured.repeats.enumerated().flatMap { i, r in
                    r.counters.samples.map { (label: measured.spec.id, repeatIndex: i + 1, sample: $0) }
                }
                try recorder.add(CellSummarizer.cell(measured), samples: lines)
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

/// `lvsbench sweep` end to end, like `RunSession`.
public enum SweepSession {
    public static func run(_ request: SweepRequest, commandLine: [String],
                           progress: ProgressLine = ProgressLine()) throws -> SessionOutcome {
        SignalTrap.install()
        let settings = try SweepSettings.validated(request)
        try Privileges.requireRoot(for: "lvsbench sweep")
        try SessionContext.requireTools()
        let backend = try LabEngine.resolveBackend(.auto)
        var setup = LabSetup(modes: settings.modes.map(\.rawValue), reals: settings.realCounts, weights: [],
                             directorBackend: backend.rawValue, profiles: ["default"], loads: [settings.load.rawValue])
        switch settings.cap {
        case .bytesPerSecond(let b): setup.realRateBytesPerSecond = Double(b)
        case .requestsPerSecond(let r): setup.realRPS = Double(r)
        }
        let summary = Summary(name: settings.name, startedAt: Date(), host: HostInfo.current(),
                              directorBackend: backend.rawValue, commandLine: commandLine, lab: setup,
                              toolVersions: SessionContext.toolVersions())
        // A signal before anything exists ends here, with nothing to clean up.
        try SignalTrap.check()
        let recorder = try ResultRecorder(root: settings.outDir, summary: summary)
        let runner = SweepRunner(settings: settings,
                                 labs: EngineLabFactory(progress: { progress.show($0); progress.phase("build", $0) }),
                                 load: LoadProbe(executable: LabEnvironment.executable), meter: CollectorMeter(),
                                 interrupted: { SignalTrap.interrupted }, progress: progress)
        do {
            var directorKnown = false
            try runner.run(onLab: { lab in
                guard !directorKnown else { return }
                directorKnown = true
                try recorder.setDirectorBackend(lab.directorBackend, directorKernel: SessionContext.kernel(of: lab.director))
            }, onCurve: { curve in
                let lines = curve.points.flatMap { p in
                    p.counters.samples.map { (label: "sweep-\(curve.mode.rawValue)-\(p.reals)", repeatIndex: 1, sample: $0) }
                }
                try recorder.setSweep(curve.mode.rawValue, curve.modeSweep, samples: lines)
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
