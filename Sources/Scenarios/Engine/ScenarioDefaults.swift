import Foundation
import LoadGen
import SystemKit
import Vocabulary

/// A scenario's own defaults for the options every scenario takes; `plan` merges in what
/// the user gave and checks it once, for all scenarios alike.
public struct ScenarioDefaults: Sendable {
    public var mode: LabMode
    public var reals: Int
    public var loads: [LoadKind]
    public var rate: Double
    public var connections: Int
    public var duration: Double
    public var faultAt: Double
    public var interval: Double
    /// Request timeout: short, so a request stuck on a dead path counts as timed out within
    /// a second or two instead of hiding the recovery.
    public var timeout: Double

    public init(mode: LabMode = .nat, reals: Int = 3, loads: [LoadKind] = [.http, .httpClose], rate: Double = 500,
                connections: Int = 40, duration: Double = 12, faultAt: Double = 4, interval: Double = 0.25,
                timeout: Double = 1) {
        self.mode = mode
        self.reals = reals
        self.loads = loads
        self.rate = rate
        self.connections = connections
        self.duration = duration
        self.faultAt = faultAt
        self.interval = interval
        self.timeout = timeout
    }

    /// The checked values: `options` over these defaults.
    public func merged(_ options: ScenarioOptions) throws -> ScenarioDefaults {
        var d = self
        d.mode = options.mode ?? mode
        d.reals = options.reals ?? reals
        d.loads = options.loads ?? loads
        d.rate = options.rate ?? rate
        d.connections = options.connections ?? connections
        d.duration = options.duration ?? duration
        d.interval = options.interval ?? interval
        guard !d.loads.isEmpty else { throw InvalidInput("--load is empty: give http, http-close, tcp-rr or tcp-crr") }
        try Quantities.checkCount(d.connections, what: "--connections", range: 1...LoadOptions.maxConnections)
        try Quantities.checkRate(d.rate, what: "--rate")
        guard d.duration >= 2, d.duration <= 3600 else {
            throw InvalidInput("--duration \(d.duration) s is out of range: give 2s to 1h, e.g. --duration 12s")
        }
        guard d.interval >= 0.01, d.interval <= d.duration / 2 else {
            throw InvalidInput("--interval \(d.interval) s is out of range: give 10ms to half the duration, e.g. --interval 250ms")
        }
        d.faultAt = try options.faultTime(default: min(faultAt, d.duration / 3), duration: d.duration)
        return d
    }

    public func load(_ kind: LoadKind) -> LoadPlan {
        LoadPlan(kind: kind, connections: connections, rate: rate, duration: duration, interval: interval, timeout: timeout)
    }
}
