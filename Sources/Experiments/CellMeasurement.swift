import Foundation
import LoadGen

/// Everything measured in one repeat of a cell: the load through the director, the same
/// load on the direct path right after it, and the director's counters for the first.
public struct RepeatMeasurement: Codable, Equatable, Sendable {
    public var balanced: LoadReport
    public var direct: LoadReport
    public var counters: WindowCounters

    public init(balanced: LoadReport, direct: LoadReport, counters: WindowCounters) {
        self.balanced = balanced
        self.direct = direct
        self.counters = counters
    }
}

/// A finished cell before it becomes a summary `Cell`: its coordinates, the reals' names
/// and every repeat.
public struct CellMeasurement: Codable, Equatable, Sendable {
    public var spec: CellSpec
    public var realNames: [String]
    public var windowSeconds: Double
    public var repeats: [RepeatMeasurement]

    public init(spec: CellSpec, realNames: [String], windowSeconds: Double, repeats: [RepeatMeasurement]) {
        self.spec = spec
        self.realNames = realNames
        self.windowSeconds = windowSeconds
        self.repeats = repeats
    }
}
