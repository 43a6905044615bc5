import Foundation
import Results
import SystemKit
import Vocabulary

/// `health-check`: dead-real's death with keepalived in the director, health-checking the
/// reals and editing IPVS itself. Measured: how long the dead real stays in the service, what
/// the client loses meanwhile, and how soon the real is back (in IPVS and answering) once it
/// recovers; against a `no-checker` baseline with the same death, so the report shows what
/// the checker saves.
public struct HealthCheck: ScenarioDefinition {
    public init() {}

    public let name = "health-check"
    public let tools = ["keepalived"]
    public let summary = "a real dies (servers killed or link cut) with keepalived checking the reals: time to removal, losses, return"
    public let question = "How long does a dead real stay in IPVS when keepalived health-checks the reals, how many "
        + "requests are lost until it is taken out (against no checker at all), and how soon is it serving again once it "
        + "recovers? keepalived runs in the director with tight (1 s) and keepalived-default timing; the real's servers "
        + "are killed (checks are refused at once) or its link is cut (checks time out), under keep-alive and "
        + "new-connection load, and the real comes back later in the run."

    /// Each base variant: how the real dies and comes back, and the checker's timing (nil:
    /// no checker).
    struct Base {
        var name: String
        var description: String
        var cut: Bool
        var timing: HealthCheckTiming?
    }

    static let bases: [Base] = [
        Base(name: "no-checker", description: "The real's servers are killed and started again later; no health checker "
                 + "runs: the real stays in IPVS throughout.", cut: false, timing: nil),
        Base(name: "fast", description: "keepalived checks the reals with \(HealthCheckTiming.fast.label); the real's "
                 + "servers are killed and started again later.", cut: false, timing: .fast),
        Base(name: "slow", description: "keepalived checks the reals with \(HealthCheckTiming.slow.label) (2.2.7's defaults "
                 + "but delay_loop, 60 s there); the real's servers are killed and started again later.", cut: false, timing: .slow),
        Base(name: "cut-fast", description: "keepalived checks the reals with \(HealthCheckTiming.fast.label); the real's "
                 + "link is cut and restored later.", cut: true, timing: .fast),
    ]

    static let defaults = ScenarioDefaults(faultAt: 3)

    public var variantNames: [String] { Self.bases.map(\.name) }

    public func variants(_ options: ScenarioOptions) throws -> [VariantPlan] {
        let d = try Self.defaults.merged(options)
        guard d.reals >= 2 else { throw InvalidInput("--reals \(d.reals): health-check needs at least 2 reals (one dies, one serves)") }
        let wanted = try options.selected(from: self)
        return try Self.bases.filter { wanted.contains($0.name) }.flatMap { base in
            try d.loads.map { kind in try plan(base, kind: kind, defaults: d, fixedDuration: options.duration != nil) }
        }
    }

    /// Seconds from the death to the return: the checker's worst removal, then a request
    /// timeout for what was sent just before it, a second for the client's backlog to drain
    /// and a second in which no loss may come (`HealthCheckFigures.lostLastSecond`). Without
    /// a checker, the fast checker's window, so the two lose over the same time.
    static func returnDelay(_ base: Base, timeout: Double) -> Double {
        ((base.timing ?? .fast).worstRemoval(cut: base.cut) + timeout + 2).rounded(.up)
    }

    /// Seconds of load after the return: the checker's worst return and two seconds to see
    /// the real answer (without a checker, the fast checker's, as for `returnDelay`).
    static func afterReturn(_ base: Base) -> Double { (base.timing ?? .fast).worstReturn + 2 }

    /// The director samples skip the connection table: reading it costs the one-CPU guest
    /// enough to space the samples 0.5 to 1.5 s apart, and the removal is timed by them.
    func plan(_ base: Base, kind: LoadKind, defaults d: ScenarioDefaults, fixedDuration: Bool) throws -> VariantPlan {
        let back = d.faultAt + Self.returnDelay(base, timeout: d.timeout)
        var load = d.load(kind)
        if fixedDuration {
            guard back + 1 <= d.duration else {
                throw InvalidInput("--duration \(Int(d.duration)) s leaves \(base.name) no time after the real's return at "
                                   + "\(Int(back)) s: give at least --duration \(Int(back + Self.afterReturn(base)))s")
            }
        } else {
            load.duration = back + Self.afterReturn(base)
        }
        let death = base.cut
            ? ScenarioStep("cut the real's link") { try $0.cutLink(real: $0.targetReal()) }
            : ScenarioStep("kill the real's servers") { try $0.killServers(real: $0.targetReal()) }
        let recovery = base.cut
            ? ScenarioStep("restore the real's link") { try $0.restoreLink(real: $0.targetReal()) }
            : ScenarioStep("start the real's servers") { try $0.startServers(real: $0.targetReal()) }
        let prepare = base.timing.map { timing in
            [ScenarioStep("keepalived takes over the service") { try HealthCheckDaemon.start(timing, for: kind, on: $0) }]
        } ?? []
        return VariantPlan(name: "\(base.name)/\(kind.rawValue)", description: base.description,
                           lab: LabShape(mode: d.mode, reals: d.reals, scheduler: .rr), load: load, prepare: prepare,
                           events: [TimedStep(at: d.faultAt, [death]), TimedStep(at: back, [recovery])], target: .real(2),
                           readsTable: false)
    }
}
