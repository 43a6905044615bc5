import Foundation
import IPVSControl
import Lab
import LoadGen
import SystemKit

/// Runs a matrix: one lab per mode and balancer, reconfigured (profile, weights, scheduler) between its
/// cells; per cell a warm-up, then `repeats` measured windows each bracketed by the same
/// load on the direct path and through the director without IPVS (`References.bracketed`).
/// Every finished cell goes to `onCell` at once, so the result on disk grows cell by cell
/// and an interruption loses at most the running cell. Labs are built and cleaned up by
/// `LabBench.eachLab`, so the profile tuning is restored before every teardown. An IPVS
/// lab reschedules reused client ports (`ReusedPorts`), so no cell inherits the last one's
/// placement of a port.
public struct MatrixRunner {
    public var settings: RunSettings
    public var bench: LabBench
    public var tuning: ProfileTuning
    /// What a balancer cannot run: those cells are skipped (`Matrix.notMeasured`).
    public var refusal: CellRefusal = Matrix.directorRefusal()

    /// The bench restores `tuning` (the one the cells apply) whatever happens.
    public init(settings: RunSettings, bench: LabBench, tuning: ProfileTuning) {
        self.settings = settings
        self.tuning = tuning
        self.bench = bench
        self.bench.tuning = tuning
    }

    public init(settings: RunSettings, labs: LabFactory, load: LoadSource, meter: WindowMeter,
                tuning: ProfileTuning, interrupted: @escaping () -> Bool = { SignalTrap.interrupted },
                progress: ProgressLine = ProgressLine()) {
        self.init(settings: settings,
                  bench: LabBench(labs: labs, load: load, meter: meter, interrupted: interrupted, progress: progress),
                  tuning: tuning)
    }

    /// Runs every cell; `onLab` learns each lab once it is up (for the director host and versions).
    public func run(onLab: (any ExperimentLab) throws -> Void = { _ in },
                    onCell: (CellMeasurement) throws -> Void) throws {
        let matrix = Matrix(settings, refusal: refusal)
        var index = 0
        try bench.eachLab(matrix.groups, mode: \.mode, balancer: \.balancer, reals: settings.reals,
                          onLab: onLab) { group, lab in
            try tuning.check(profiles: settings.profiles, on: lab)
            if lab.balancer == .ipvs { try ReusedPorts.reschedule(on: lab.director) }
            try runCells(group.cells, in: lab, startingAt: &index, of: matrix.count, onCell: onCell)
        }
        bench.progress.finish("\(matrix.count) cells measured")
    }

    private func runCells(_ cells: [CellSpec], in lab: any ExperimentLab, startingAt index: inout Int,
                          of total: Int, onCell: (CellMeasurement) throws -> Void) throws {
        var profile: String?
        for cell in cells {
            try bench.checkInterrupted()
            index += 1
            if cell.profile != profile {
                bench.progress.phase("tuning", cell.profile)
                try tuning.restore()
                try tuning.apply(profile: cell.profile, to: lab)
                profile = cell.profile
            }
            try lab.configure(scheduler: cell.scheduler, weights: cell.weights)
            let balancer = cell.balancer == .ipvs ? "" : " \(cell.balancer.rawValue)"
            let label = "cell \(index)/\(total) \(cell.mode.rawValue)\(balancer) \(cell.scheduler.rawValue) \(cell.profile)"
            var repeats: [RepeatMeasurement] = []
            for r in 1...settings.repeats {
                repeats.append(try measureRepeat(r, of: cell, label: label, after: repeats, in: lab))
                // A window cut short by a signal is not a measurement: never report it.
                try bench.checkInterrupted()
            }
            bench.progress.finish("\(label): \(rateSoFar(repeats).dropFirst(2))")
            try onCell(CellMeasurement(spec: cell, realNames: lab.reals.map(\.name),
                                       windowSeconds: settings.duration, repeats: repeats))
        }
    }

    /// Repeat `r` of `cell`; the first starts with the cell's warm-up.
    private func measureRepeat(_ r: Int, of cell: CellSpec, label: String, after earlier: [RepeatMeasurement],
                               in lab: any ExperimentLab) throws -> RepeatMeasurement {
        let progress = bench.progress
        let plan = WindowPlan(kind: cell.load, connections: cell.connections, duration: settings.duration,
                              rate: settings.rate, warmUp: r == 1 ? settings.warmup : nil,
                              references: .bracketed, announce: { stage in
            switch stage {
            case .warmUp:
                progress.show("\(label): warm-up")
                progress.phase("warm-up", label)
            case .settling: break
            case .measuring: progress.show("\(label): repeat \(r)/\(settings.repeats)\(rateSoFar(earlier))")
            case .reference(.direct): progress.phase("direct", cell.id)
            case .reference(.plain): progress.phase("plain", cell.id)
            case .window: progress.phase("window", cell.id)
            }
        })
        let window = try bench.measure(plan, in: lab)
        guard let direct = window.directBefore else {
            preconditionFailure("a bracketed repeat measures the direct path before its window")
        }
        return RepeatMeasurement(balanced: window.balanced, direct: direct, counters: window.counters,
                                 directAfter: window.directAfter, plain: window.plain.isEmpty ? nil : window.plain)
    }

    private func rateSoFar(_ repeats: [RepeatMeasurement]) -> String {
        guard let last = repeats.last else { return "" }
        return String(format: ", %.0f req/s (direct %.0f)", last.balanced.rps, last.directRPS)
    }
}
