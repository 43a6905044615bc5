import Foundation
import LoadGen

/// Everything measured in one repeat of a cell: the load through the director, the same
/// load on the direct path right after it, and the director's counters for the first.
public struct RepeatMeasurement: Codable, Equatable, Sendable {
    public var balanced: LoadReport
    public var direct: LoadReport
    public var counters: WindowCounters
    /// The direct path again after the window (ABA: the reference brackets the window).
    public var directAfter: LoadReport?
    /// The plain-forward reference before and after the window.
    public var plain: [PlainForwardWindow]?

    public init(balanced: LoadReport, direct: LoadReport, counters: WindowCounters,
                directAfter: LoadReport? = nil, plain: [PlainForwardWindow]? = nil) {
        self.balanced = balanced
        self.direct = direct
        self.counters = counters
        self.directAfter = directAfter
        self.plain = plain
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
