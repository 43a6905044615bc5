import Foundation
import IPVSControl
import Lab
import LoadGen
import SystemKit

/// Runs a matrix: one lab per mode, reconfigured (profile, weights, scheduler) between its
/// cells; per cell a warm-up, then `repeats` measured windows each bracketed by the same
/// load on the direct path and through the director without IPVS (`BracketedRepeat`).
/// Every finished cell goes to `onCell` at once, so the result on disk grows cell by cell
/// and an interruption loses at most the running cell.
///
/// Cleanup is unconditional: tuning is restored and the lab torn down after an error or a
/// signal too, before the error propagates. A cleanup step that fails is reported with the
/// error (`CleanupFailed`, or `Interrupted` naming what is left), never swallowed. A signal
/// that arrives while the last lab is torn down still ends the run as interrupted.
public struct MatrixRunner {
    public var settings: RunSettings
    public var labs: LabFactory
    public var load: LoadSource
    public var meter: WindowMeter
    public var tuning: ProfileTuning
    /// Polled between steps; true stops the run with `Interrupted` after cleanup.
    public var interrupted: () -> Bool
    public var progress: ProgressLine

    public init(settings: RunSettings, labs: LabFactory, load: LoadSource, meter: WindowMeter,
                tuning: ProfileTuning, interrupted: @escaping () -> Bool = { SignalTrap.interrupted },
                progress: ProgressLine = ProgressLine()) {
        self.settings = settings
        self.labs = labs
        self.load = load
        self.meter = meter
        self.tuning = tuning
        self.interrupted = interrupted
        self.progress = progress
    }

    /// Runs every cell; `onLab` learns each lab once it is up (for the backend and versions).
    public func run(onLab: (any ExperimentLab) throws -> Void = { _ in },
                    onCell: (CellMeasurement) throws -> Void) throws {
        let matrix = Matrix(settings)
        var index = 0
        for group in matrix.groups {
            try checkInterrupted()
            progress.show("building the \(group.mode.rawValue) lab with \(settings.reals) reals ...")
            progress.phase("build", "\(group.mode.rawValue) lab")
            let lab = try labs.build(mode: group.mode, reals: settings.reals)
            do {
                try onLab(lab)
                try tuning.check(profiles: settings.profiles, on: lab)
                try runCells(group.cells, in: lab, startingAt: &index, of: matrix.count, onCell: onCell)
            } catch {
                throw CleanupFailed.outcome(of: error, left: cleanUp(lab), interrupted: interrupted())
            }
            try finish(lab)
            try checkInterrupted()
        }
        progress.finish("\(matrix.count) cells measured")
    }

    private func runCells(_ cells: [CellSpec], in lab: any ExperimentLab, startingAt index: inout Int,
                          of total: Int, onCell: (CellMeasurement) throws -> Void) throws {
        var profile: String?
        for cell in cells {
            try checkInterrupted()
            index += 1
            if cell.profile != profile {
                progress.phase("tuning", cell.profile)
                try tuning.restore()
                try tuning.apply(profile: cell.profile, to: lab)
                profile = cell.profile
            }
            try lab.configure(scheduler: cell.scheduler, weights: cell.weights)
            let label = "cell \(index)/\(total) \(cell.mode.rawValue) \(cell.scheduler.rawValue) \(cell.profile)"
            progress.show("\(label): warm-up")
            progress.phase("warm-up", label)
            if settings.warmup > 0 {
                _ = try load.measure(from: lab.client, kind: cell.load, target: lab.serviceTarget,
                                     connections: cell.connections, duration: settings.warmup,
                                     rate: settings.rate)
            }
            // The warm-up's (or the reconfiguration's) traffic must reach the director's
            // counters before the window's first reading.
            try pause(meter.settleSeconds)
            var repeats: [RepeatMeasurement] = []
            for r in 1...settings.repeats {
                progress.show("\(label): repeat \(r)/\(settings.repeats)\(rateSoFar(repeats))")
                repeats.append(try measureOnce(cell, in: lab))
                // A window cut short by a signal is not a measurement: never report it.
                try checkInterrupted()
            }
            progress.finish("\(label): \(rateSoFar(repeats).dropFirst(2))")
            try onCell(CellMeasurement(spec: cell, realNames: lab.reals.map(\.name),
                                       windowSeconds: settings.duration, repeats: repeats))
        }
    }

    private func measureOnce(_ cell: CellSpec, in lab: any ExperimentLab) throws -> RepeatMeasurement {
        try BracketedRepeat(load: load, meter: meter, interrupted: interrupted, phase: { progress.phase($0, cell.id) })
            .run(cell, duration: settings.duration, rate: settings.rate, in: lab)
    }

    /// Sleeps in short steps so a signal is noticed at once.
    private func pause(_ seconds: Double) throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            try checkInterrupted()
            usleep(50_000)
        }
    }

    private func rateSoFar(_ repeats: [RepeatMeasurement]) -> String {
        guard let last = repeats.last else { return "" }
        return String(format: ", %.0f req/s (direct %.0f)", last.balanced.rps, last.directRPS)
    }

    private func finish(_ lab: any ExperimentLab) throws {
        progress.phase("teardown", lab.mode.rawValue)
        do { try tuning.restore() } catch {
            let left = CleanupFailed.attempt { try lab.tearDown() }
            throw CleanupFailed.outcome(of: error, left: left.map { [$0] } ?? [], interrupted: interrupted())
        }
        try lab.tearDown()
    }

    /// Cleanup on the error path: every step runs whatever failed before it. Returns what
    /// is left on the host. The teardown restores the lab's recorded tuning itself before
    /// it removes the nodes, so a failed `restore` matters only when the teardown fails too.
    private func cleanUp(_ lab: any ExperimentLab) -> [String] {
        progress.phase("teardown", lab.mode.rawValue)
        meter.abandon()
        let restore = CleanupFailed.attempt { try tuning.restore() }
        guard let down = CleanupFailed.attempt({ try lab.tearDown() }) else { return [] }
        return (restore.map { ["restoring the tuning: \($0)"] } ?? []) + [down]
    }
}

extension MatrixRunner {
    func checkInterrupted() throws {
        if interrupted() { throw Interrupted() }
    }
}
