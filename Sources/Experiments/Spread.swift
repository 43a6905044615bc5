import Foundation

/// The median of a cell's repeats and how far they spread, so a comparison can tell a real
/// change from noise. `relative` is (max - min) / median: 0 for a single repeat.
public struct Spread: Codable, Equatable, Sendable {
    public var median: Double
    public var min: Double
    public var max: Double
    public var samples: [Double]

    public var relative: Double { median == 0 ? 0 : (max - min) / median }

    /// Nil for no samples: a cell whose every repeat failed has no median to report.
    public init?(_ samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let n = sorted.count
        median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        min = sorted[0]
        max = sorted[n - 1]
        self.samples = samples
    }

    /// Index of the sample closest to the median: the repeat whose other figures (latency,
    /// shares, director counters) a cell reports, so they stay mutually consistent.
    public var medianIndex: Int {
        samples.indices.min(by: { abs(samples[$0] - median) < abs(samples[$1] - median) })!
    }
}
