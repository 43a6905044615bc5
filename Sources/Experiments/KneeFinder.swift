import Foundation

/// Finds where adding reals stops adding throughput. Each real is capped, so below the
/// director's limit every added real adds about one real's capacity; the knee is the last
/// point before the marginal gain per added real falls under `threshold` (default half) of
/// one real's capacity.
public enum KneeFinder {
    public struct Point: Codable, Equatable, Sendable {
        public var reals: Int
        public var rps: Double
        public init(reals: Int, rps: Double) {
            self.reals = reals
            self.rps = rps
        }
    }

    /// One real's capacity as measured: throughput per real at the smallest point, where
    /// the director is least loaded.
    public static func perRealCapacity(_ points: [Point]) -> Double? {
        guard let first = points.min(by: { $0.reals < $1.reals }), first.reals > 0, first.rps > 0 else { return nil }
        return first.rps / Double(first.reals)
    }

    /// The knee's number of reals, or nil when throughput kept growing through the last
    /// point (the director never saturated in the range measured) or there are too few points.
    public static func knee(_ points: [Point], perReal: Double? = nil, threshold: Double = 0.5) -> Int? {
        let sorted = points.sorted { $0.reals < $1.reals }
        guard sorted.count >= 2, let capacity = perReal ?? perRealCapacity(sorted), capacity > 0 else { return nil }
        for i in 1..<sorted.count {
            let added = sorted[i].reals - sorted[i - 1].reals
            guard added > 0 else { continue }
            let marginal = (sorted[i].rps - sorted[i - 1].rps) / Double(added)
            if marginal < threshold * capacity { return sorted[i - 1].reals }
        }
        return nil
    }
}
