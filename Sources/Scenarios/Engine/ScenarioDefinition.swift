import Foundation
import Results
import SystemKit
import Vocabulary

/// One fault scenario: what it asks, the variants it measures side by side, and how their
/// numbers judge its claims. A scenario is data plus two pure functions; `ScenarioSession`
/// does all the building, loading, sampling and recording.
public protocol ScenarioDefinition: Sendable {
    /// The name `lvsbench scenario NAME` takes: "dead-real".
    var name: String { get }
    /// One line for `lvsbench scenario --list` and the help.
    var summary: String { get }
    /// The operator's question, for the report.
    var question: String { get }
    /// The variant names this scenario knows, in the order it runs them (for `--variants`).
    var variantNames: [String] { get }
    /// The variants to run for `options`, already validated (throws `InvalidInput` on an
    /// option this scenario cannot honour).
    func variants(_ options: ScenarioOptions) throws -> [VariantPlan]
    /// The claims, judged from what was measured (variants that did not run are absent).
    func findings(_ measured: [ScenarioVariant]) -> [ScenarioFinding]
    /// Programs the scenario runs beyond every scenario's (keepalived), checked before any lab.
    var tools: [String] { get }
}

extension ScenarioDefinition {
    public var tools: [String] { [] }
}

/// What a user may change about any scenario; nil means the scenario's own default.
public struct ScenarioOptions: Equatable, Sendable {
    public var mode: LabMode?
    public var reals: Int?
    public var loads: [LoadKind]?
    /// Offered requests per second (open loop).
    public var rate: Double?
    public var connections: Int?
    /// Seconds of load per variant.
    public var duration: Double?
    /// Seconds into the load at which the fault is injected.
    public var faultAt: Double?
    /// Timeline resolution, seconds.
    public var interval: Double?
    /// Only these variants (names as `variantNames` lists them), in the scenario's order.
    public var variants: [String]?

    public init(mode: LabMode? = nil, reals: Int? = nil, loads: [LoadKind]? = nil, rate: Double? = nil,
                connections: Int? = nil, duration: Double? = nil, faultAt: Double? = nil, interval: Double? = nil,
                variants: [String]? = nil) {
        self.mode = mode
        self.reals = reals
        self.loads = loads
        self.rate = rate
        self.connections = connections
        self.duration = duration
        self.faultAt = faultAt
        self.interval = interval
        self.variants = variants
    }

    /// The variant names asked for, checked against what `scenario` knows.
    public func selected(from scenario: some ScenarioDefinition) throws -> [String] {
        guard let wanted = variants else { return scenario.variantNames }
        if let unknown = wanted.first(where: { !scenario.variantNames.contains($0) }) {
            throw InvalidInput("scenario \(scenario.name) has no variant '\(unknown)': give one of "
                               + scenario.variantNames.joined(separator: ", "))
        }
        return scenario.variantNames.filter(wanted.contains)
    }

    /// `faultAt` (or `fallback`) checked against the load's duration: the fault needs load on
    /// both sides of it.
    public func faultTime(default fallback: Double, duration: Double) throws -> Double {
        let t = faultAt ?? fallback
        guard t > 0, t < duration else {
            throw InvalidInput("--fault-at \(t) s is outside the load (0 to \(duration) s): give a time inside it, e.g. --fault-at \(Int(duration / 3))s")
        }
        return t
    }
}
