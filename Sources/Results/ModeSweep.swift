import Foundation

/// One forwarding mode's sweep: throughput as the number of capped reals grows.
/// Each real is capped, so total throughput should grow by one real's rate per real added
/// until the director saturates; `kneeReals` is where that stops.
public struct ModeSweep: Codable, Equatable, Sendable {
    public var points: [SweepPoint]
    /// The real count after which adding reals stops paying (nil: no knee within the range).
    public var kneeReals: Int?
    /// The director's capacity at saturation and what it implies (nil without a knee).
    public var capacity: DirectorCapacity?

    public init(points: [SweepPoint], kneeReals: Int?, capacity: DirectorCapacity?) {
        self.points = points.sorted { $0.reals < $1.reals }
        self.kneeReals = kneeReals
        self.capacity = capacity
    }

    /// Sorts the points, finds the knee and, when there is one, the capacity model for reals
    /// capped at `perRealBytesPerSecond` (the sweep's `--real-rate`; nil when capped by rps).
    public init(points: [SweepPoint], perRealBytesPerSecond: Double?) {
        let sorted = points.sorted { $0.reals < $1.reals }
        let knee = KneeFinder.knee(of: sorted)
        self.init(points: sorted, kneeReals: knee,
                  capacity: knee.flatMap { DirectorCapacity.measured(points: sorted, kneeReals: $0,
                                                                     perRealBytesPerSecond: perRealBytesPerSecond) })
    }

    enum CodingKeys: String, CodingKey { case points, kneeReals = "knee_reals", capacity }
}

/// One real count of a sweep (medians over repeats, like a cell's).
public struct SweepPoint: Codable, Equatable, Sendable {
    public var reals: Int
    public var rps: Double
    /// Response payload bytes per second seen by the client.
    public var bytesPerSecond: Double
    public var cps: Double
    public var p99US: Double
    /// Director packets per second, both directions together.
    public var directorPPS: Double
    /// Director bytes per second, both directions together.
    public var directorBytesPerSecond: Double
    /// Share of the director's CPU busy (softirq plus system), percent of one CPU.
    public var directorCPUPct: Double
    /// The same director plain-forwarding to one uncapped real at this point's connections:
    /// IPVS's own cost (nil in sweeps from before it was measured).
    public var plainForward: ForwardCost?

    public init(reals: Int, rps: Double, bytesPerSecond: Double, cps: Double, p99US: Double,
                directorPPS: Double, directorBytesPerSecond: Double, directorCPUPct: Double,
                plainForward: ForwardCost? = nil) {
        self.reals = reals
        self.rps = rps
        self.bytesPerSecond = bytesPerSecond
        self.cps = cps
        self.p99US = p99US
        self.directorPPS = directorPPS
        self.directorBytesPerSecond = directorBytesPerSecond
        self.directorCPUPct = directorCPUPct
        self.plainForward = plainForward
    }

    enum CodingKeys: String, CodingKey {
        case reals, rps, bytesPerSecond = "bytes_per_s", cps, p99US = "p99_us", directorPPS = "director_pps"
        case directorBytesPerSecond = "director_bytes_per_s", directorCPUPct = "director_cpu_pct"
        case plainForward = "plain_forward"
    }
}

/// Finds where a sweep's throughput stops growing with the number of reals.
public enum KneeFinder {
    /// A segment that gains less than this fraction of one real's rate per added real is flat.
    public static let flatFraction = 0.5

    /// The real count at the start of the first flat segment, where one real's rate is taken
    /// from the smallest point (per-real rps there, before any saturation). Nil when fewer
    /// than two points or when throughput keeps growing through the whole range.
    public static func knee(of points: [SweepPoint]) -> Int? {
        let sorted = points.sorted { $0.reals < $1.reals }
        guard sorted.count >= 2, let first = sorted.first, first.reals > 0, first.rps > 0 else { return nil }
        let perReal = first.rps / Double(first.reals)
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.reals > a.reals {
            let gainPerReal = (b.rps - a.rps) / Double(b.reals - a.reals)
            if gainPerReal < flatFraction * perReal { return a.reals }
        }
        return nil
    }
}
