import Foundation

/// Repeated measurements of one figure with their median and range. The range (min...max)
/// rather than a standard deviation: with 3-5 repeats it is what one can honestly claim.
public struct Spread: Codable, Equatable, Sendable {
    public var values: [Double]
    public var median: Double
    public var min: Double
    public var max: Double

    public init(_ values: [Double]) {
        self.values = values
        let sorted = values.sorted()
        self.min = sorted.first ?? 0
        self.max = sorted.last ?? 0
        if sorted.isEmpty {
            self.median = 0
        } else if sorted.count % 2 == 1 {
            self.median = sorted[sorted.count / 2]
        } else {
            self.median = (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
    }

    public var range: ClosedRange<Double> { min...max }

    /// (max - min) / median: how noisy the repeats were, 0 for a single repeat.
    public var relativeWidth: Double { median != 0 ? (max - min) / abs(median) : 0 }

    /// Whether the two ranges overlap: a change between them is within the noise.
    public func overlaps(_ other: Spread) -> Bool { min <= other.max && other.min <= max }
}
