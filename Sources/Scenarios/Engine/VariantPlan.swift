import Foundation
import Lab
import Vocabulary

/// One variant, as data: the lab it needs, what is set up before the load, the load, and
/// the steps injected at known times during it.
public struct VariantPlan: Sendable {
    public var name: String
    public var description: String
    public var lab: LabShape
    public var load: LoadPlan
    /// Done in order once the lab is up, before the load starts (sysctls, timeouts, a
    /// health checker), each named for the report.
    public var prepare: [ScenarioStep]
    /// Done during the load; the first is the fault the metrics are measured around.
    public var events: [TimedStep]
    /// The real the fault hits, for the per-real figures.
    public var target: FaultTarget?
    /// Seconds between director samples.
    public var sampleEvery: Double
    /// Whether each director sample also counts the connection table's entries per real
    /// (entries outlive a real's removal from the service; reading the table costs the
    /// director more the larger it is).
    public var readsTable: Bool
    /// Extra gauges read from the lab with every director sample.
    public var gauges: (@Sendable (ScenarioLab) throws -> [String: Double])?

    public init(name: String, description: String, lab: LabShape, load: LoadPlan, prepare: [ScenarioStep] = [],
                events: [TimedStep], target: FaultTarget? = nil, sampleEvery: Double = 0.25, readsTable: Bool = true,
                gauges: (@Sendable (ScenarioLab) throws -> [String: Double])? = nil) {
        self.name = name
        self.description = description
        self.lab = lab
        self.load = load
        self.prepare = prepare
        self.events = events
        self.target = target
        self.sampleEvery = sampleEvery
        self.readsTable = readsTable
        self.gauges = gauges
    }
}

/// The lab a variant is measured in (an IPVS lab: the scenarios are about IPVS's behaviour).
public struct LabShape: Equatable, Sendable {
    public var mode: LabMode
    public var reals: Int
    public var scheduler: Scheduler
    public var weights: [Int]?
    /// IPVS persistence timeout in seconds (`-p`); nil for none.
    public var persistence: Int?
    /// 2 for a standby director beside the first (`RunningLab.standby`).
    public var directors: Int

    public init(mode: LabMode, reals: Int, scheduler: Scheduler = .rr, weights: [Int]? = nil, persistence: Int? = nil,
                directors: Int = 1) {
        self.mode = mode
        self.reals = reals
        self.scheduler = scheduler
        self.weights = weights
        self.persistence = persistence
        self.directors = directors
    }

    func spec(name: String, director: DirectorChoice) -> LabSpec {
        LabSpec(name: name, mode: mode, reals: reals, scheduler: scheduler, weights: weights, persistence: persistence,
                director: director, balancer: .ipvs, directors: directors)
    }
}

/// The load a variant runs: open loop at `rate`, so a failure costs requests at a known
/// pace instead of speeding up a closed loop.
public struct LoadPlan: Equatable, Sendable {
    public var kind: LoadKind
    public var connections: Int
    public var rate: Double
    public var duration: Double
    /// Timeline resolution, seconds.
    public var interval: Double
    /// Seconds a request may take before it counts as timed out.
    public var timeout: Double

    public init(kind: LoadKind, connections: Int, rate: Double, duration: Double, interval: Double, timeout: Double) {
        self.kind = kind
        self.connections = connections
        self.rate = rate
        self.duration = duration
        self.interval = interval
        self.timeout = timeout
    }

    /// "http-keepalive at 600/s over 30 connections".
    public var label: String {
        "\(kind.rawValue) at \(Int(rate))/s over \(connections) connections"
    }
}

/// Which real a fault hits.
public enum FaultTarget: Equatable, Sendable {
    /// Real N (1-based).
    case real(Int)
    /// The real with the most active connections when the fault comes: with persistence,
    /// the one the client is pinned to.
    case busiest
}

/// A named action on the lab. The action returns a detail for the report, or "" for none.
public struct ScenarioStep: Sendable {
    public var what: String
    public var action: @Sendable (ScenarioLab) throws -> String

    public init(_ what: String, _ action: @escaping @Sendable (ScenarioLab) throws -> String) {
        self.what = what
        self.action = action
    }
}

/// Steps done together, `at` seconds into the load.
public struct TimedStep: Sendable {
    public var at: Double
    public var steps: [ScenarioStep]

    public init(at: Double, _ steps: [ScenarioStep]) {
        self.at = at
        self.steps = steps
    }
}
