import Foundation
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

    /// A stable, file-name-safe label, e.g. `nat-wrr-default-w5.5.1.1`.
    public var id: String {
        "\(mode.rawValue)-\(scheduler.rawValue)-\(profile)-w\(weights.map(String.init).joined(separator: "."))"
    }
}

/// The run's cross product, grouped by mode: a lab is built once per mode and only
/// reconfigured between that mode's cells. Within a mode the cells are ordered so the most
/// expensive reconfiguration (a tuning profile) changes least often, then weights, then the
/// scheduler.
public struct Matrix: Equatable, Sendable {
    public struct Group: Equatable, Sendable {
        public var mode: LabMode
        public var cells: [CellSpec]
    }

    public let groups: [Group]

    public init(_ settings: RunSettings) {
        groups = settings.modes.map { mode in
            var cells: [CellSpec] = []
            for profile in settings.profiles {
                for weights in settings.weightSets {
                    for scheduler in settings.schedulers {
                        let connections = settings.connections ?? RunSettings.autoConnections(weights: weights)
                        cells.append(CellSpec(mode: mode, scheduler: scheduler, profile: profile, weights: weights,
                                              load: settings.load, connections: connections))
                    }
                }
            }
            return Group(mode: mode, cells: cells)
        }
    }

    public var cells: [CellSpec] { groups.flatMap(\.cells) }
    public var count: Int { groups.reduce(0) { $0 + $1.cells.count } }
}
