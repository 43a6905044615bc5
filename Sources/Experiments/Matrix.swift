import Foundation
import Lab
import Results
import SystemKit
import Vocabulary

/// One combination of the run's lists: what a single measured cell runs under.
public struct CellSpec: Codable, Equatable, Sendable {
    public var mode: LabMode
    public var scheduler: Scheduler
    public var profile: String
    public var weights: [Int]
    public var load: LoadKind
    /// Load generator connections in this cell (the user's -c, or fitted to the weights).
    public var connections: Int
    /// What balances the director's traffic in this cell's lab.
    public var balancer: BalancerKind = .ipvs

    /// A stable, file-name-safe label, e.g. `nat-wrr-default-w5.5.1.1`; a balancer other
    /// than IPVS follows the mode (`nat-nftables-wrr-...`), so IPVS cells keep their labels.
    public var id: String {
        let b = balancer == .ipvs ? "" : "-\(balancer.rawValue)"
        return "\(mode.rawValue)\(b)-\(scheduler.rawValue)-\(profile)-w\(weights.map(String.init).joined(separator: "."))"
    }
}

/// Why a balancer cannot run a cell, in one line (nil: it can). `DirectorBalancer.check`
/// in production; tests inject their own.
public typealias CellRefusal = (CellSpec) -> String?

/// The run's cross product, grouped by mode and, within a mode, by balancer: a lab is built
/// once per group and only reconfigured between its cells. Within a group the cells are
/// ordered so the most expensive reconfiguration (a tuning profile) changes least often,
/// then weights, then the scheduler. Cells a balancer cannot run are not in any group but
/// in `notMeasured`, with the reason.
public struct Matrix: Equatable, Sendable {
    public struct Group: Equatable, Sendable {
        public var mode: LabMode
        public var balancer: BalancerKind = .ipvs
        public var cells: [CellSpec]
    }

    public let groups: [Group]
    public let notMeasured: [NotMeasured]

    public init(_ settings: RunSettings, refusal: CellRefusal = { _ in nil }) {
        var groups: [Group] = []
        var notMeasured: [NotMeasured] = []
        for mode in settings.modes {
            for balancer in settings.balancers {
                var cells: [CellSpec] = []
                for profile in settings.profiles {
                    for weights in settings.weightSets {
                        for scheduler in settings.schedulers {
                            let connections = settings.connections ?? RunSettings.autoConnections(weights: weights)
                            let cell = CellSpec(mode: mode, scheduler: scheduler, profile: profile, weights: weights,
                                                load: settings.load, connections: connections, balancer: balancer)
                            if let reason = refusal(cell) {
                                let skipped = NotMeasured(mode: mode, balancer: balancer, scheduler: scheduler,
                                                          profile: profile, reason: reason)
                                if !notMeasured.contains(skipped) { notMeasured.append(skipped) }
                            } else {
                                cells.append(cell)
                            }
                        }
                    }
                }
                if !cells.isEmpty { groups.append(Group(mode: mode, balancer: balancer, cells: cells)) }
            }
        }
        self.groups = groups
        self.notMeasured = notMeasured
    }

    /// The matrix, or a refusal (exit 2, before anything is built) when a requested balancer
    /// can run none of its cells: asking for it was a mistake, not a gap to report.
    public static func checked(_ settings: RunSettings, refusal: CellRefusal) throws -> Matrix {
        let matrix = Matrix(settings, refusal: refusal)
        for balancer in settings.balancers where !matrix.groups.contains(where: { $0.balancer == balancer }) {
            let reason = matrix.notMeasured.first { $0.balancer == balancer }?.reason ?? "no cell to run"
            throw InvalidInput("--balancer \(balancer.rawValue) can run none of the requested cells: \(reason)")
        }
        return matrix
    }

    public var cells: [CellSpec] { groups.flatMap(\.cells) }
    public var count: Int { groups.reduce(0) { $0 + $1.cells.count } }
}

extension Matrix {
    /// What the director's balancer refuses (`DirectorBalancer.check`; a run sets no
    /// persistence), then what `profileRefusal` says of the cell's profile.
    public static func directorRefusal(profileRefusal: @escaping (String, BalancerKind) -> String? = { _, _ in nil })
        -> CellRefusal {
        { cell in
            do {
                try DirectorBalancer.check(cell.balancer, mode: cell.mode, scheduler: cell.scheduler, persistence: nil)
            } catch let refused as InvalidInput {
                return refused.message
            } catch {
                return "\(error)"
            }
            return profileRefusal(cell.profile, cell.balancer)
        }
    }
}
