import Foundation
import SystemKit
import Vocabulary

/// What every experiment measures with (labs, load, meter, tuning) and the steps the matrix
/// and the sweep share: the lab loop with its unconditional cleanup here, the measured
/// window in `MeasuredWindow.swift`. Production parts come from `ExperimentSession`; tests
/// pass in-memory ones.
public struct LabBench {
    public var labs: LabFactory
    public var load: LoadSource
    public var meter: WindowMeter
    /// The profile tuning, restored before every teardown; nil for an experiment that
    /// leaves the lab's tuning alone (the sweep).
    public var tuning: ProfileTuning?
    /// Polled between steps; true stops the experiment with `Interrupted` after cleanup.
    public var interrupted: () -> Bool
    public var progress: ProgressLine

    public init(labs: LabFactory, load: LoadSource, meter: WindowMeter, tuning: ProfileTuning? = nil,
                interrupted: @escaping () -> Bool = { SignalTrap.interrupted }, progress: ProgressLine = ProgressLine()) {
        self.labs = labs
        self.load = load
        self.meter = meter
        self.tuning = tuning
        self.interrupted = interrupted
        self.progress = progress
    }

    /// Builds one lab per item in turn (in the item's mode, with `reals` reals), hands it to
    /// `onLab` (the session learns the director host and kernel) and to `work` with its
    /// item, and takes it down whatever happens; `kept` gets what `work` returned once the
    /// lab is down.
    ///
    /// Cleanup is unconditional: tuning is restored and the lab torn down after an error or a
    /// signal too, before the error propagates. A cleanup step that fails is reported with the
    /// error (`CleanupFailed`, or `Interrupted` naming what is left), never swallowed. A signal
    /// that arrives while a lab is torn down still ends the experiment as interrupted.
    func eachLab<Item, Result>(_ items: [Item], mode: KeyPath<Item, LabMode>,
                               balancer: KeyPath<Item, BalancerKind>? = nil, reals: Int,
                               onLab: (any ExperimentLab) throws -> Void,
                               work: (Item, any ExperimentLab) throws -> Result,
                               kept: (Result) throws -> Void = { _ in }) throws {
        for item in items {
            let mode = item[keyPath: mode]
            let kind = balancer.map { item[keyPath: $0] } ?? .ipvs
            let named = kind == .ipvs ? mode.rawValue : "\(mode.rawValue) \(kind.rawValue)"
            try checkInterrupted()
            progress.show("building the \(named) lab with \(reals) reals ...")
            progress.phase("build", "\(named) lab")
            let lab = try labs.build(mode: mode, balancer: kind, reals: reals)
            let result: Result
            do {
                try onLab(lab)
                result = try work(item, lab)
            } catch {
                throw CleanupFailed.outcome(of: error, left: cleanUp(lab), interrupted: interrupted())
            }
            try finish(lab)
            try kept(result)
            try checkInterrupted()
        }
    }

    /// The teardown after the work succeeded: a restore that fails still tears the lab down
    /// and is reported with whatever that teardown left.
    private func finish(_ lab: any ExperimentLab) throws {
        progress.phase("teardown", lab.mode.rawValue)
        do { try tuning?.restore() } catch {
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
        let restore = CleanupFailed.attempt { try tuning?.restore() }
        guard let down = CleanupFailed.attempt({ try lab.tearDown() }) else { return [] }
        return (restore.map { ["restoring the tuning: \($0)"] } ?? []) + [down]
    }

    func checkInterrupted() throws {
        if interrupted() { throw Interrupted() }
    }

    /// Sleeps until `end` in short steps, so a signal is noticed at once.
    func pause(until end: Date) throws {
        while Date() < end {
            try checkInterrupted()
            usleep(50_000)
        }
    }
}
