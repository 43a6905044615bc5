import Foundation
import Results
import Vocabulary

/// health-check's claims, judged from `HealthCheckFigures`.
extension HealthCheck {
    /// What a director sample's spacing and the fault's own duration add to a measured time.
    static let slack = 0.5

    public func findings(_ measured: [ScenarioVariant]) -> [ScenarioFinding] {
        [lossesStop(measured), keepAliveLoss(measured), killTiming(measured), cutTiming(measured), realReturns(measured)]
    }

    /// The measured variants of base `name` with their figures; with `reconnecting`, only
    /// those under a load that opens a connection per request (true) or keeps them (false).
    static func runs(_ name: String, in measured: [ScenarioVariant],
                     reconnecting: Bool? = nil) -> [(variant: ScenarioVariant, figures: HealthCheckFigures)] {
        measured.filter { v in
            v.name.split(separator: "/").first.map(String.init) == name
                && reconnecting.map { LoadKind(rawValue: load(of: v))?.closesConnections == $0 } ?? true
        }.compactMap { v in HealthCheckFigures(v).map { (v, $0) } }
    }

    static func base(_ name: String) -> Base? { bases.first { $0.name == name } }

    static func load(of v: ScenarioVariant) -> String { v.name.split(separator: "/").last.map(String.init) ?? v.name }

    /// The bases whose real's servers are killed and that run a checker.
    static let checkedKills = bases.filter { $0.timing != nil && !$0.cut }.map(\.name)

    func lossesStop(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "Under new-connection load, without a health checker a killed real stays in IPVS and keeps costing "
            + "requests until it comes back; keepalived takes it out and the losses stop."
        let none = Self.runs("no-checker", in: measured, reconnecting: true)
        let checked = Self.checkedKills.flatMap { Self.runs($0, in: measured, reconnecting: true) }
        guard !none.isEmpty, !checked.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured,
                                   evidence: "(needs no-checker and fast or slow under http-close or tcp-crr)")
        }
        let holds = none.allSatisfy { $0.figures.removedAfter == nil && $0.figures.lostLastSecond > 0 }
            && checked.allSatisfy { $0.figures.removedAfter != nil && $0.figures.lostLastSecond == 0 }
        let evidence = (none + checked).map { run -> String in
            var line = "\(run.variant.name): \(run.figures.summary)"
            if let baseline = none.first(where: { Self.load(of: $0.variant) == Self.load(of: run.variant) }),
               run.figures.removedAfter != nil {
                line += String(format: "; %llu lost in its %.0f s to the return, where no checker lost %.0f/s (%.0f in as long)",
                               run.figures.lostUntilReturn, run.figures.window, baseline.figures.lossRate,
                               (baseline.figures.lossRate * run.figures.window).rounded())
            }
            return line
        }
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence.joined(separator: "; ") + ".")
    }

    func keepAliveLoss(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "Under keep-alive load a killed real costs about a request per connection, checker or not: its "
            + "connections are reset, and the client's new connections soon all land on live reals."
        let none = Self.runs("no-checker", in: measured, reconnecting: false)
        guard !none.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(needs no-checker under http or tcp-rr)")
        }
        let holds = none.allSatisfy {
            $0.figures.lostLastSecond == 0 && $0.figures.lostUntilReturn <= UInt64($0.variant.metrics.connections)
        }
        let checked = Self.checkedKills.flatMap { Self.runs($0, in: measured, reconnecting: false) }
        let evidence = (none + checked).map { run in
            "\(run.variant.name): \(run.figures.lostUntilReturn) lost to the return over \(run.variant.metrics.connections) "
                + "connections (\(run.variant.metrics.brokenConnections.map(String.init) ?? "?") broken), "
                + "\(run.figures.lostLastSecond) in the last second before it"
        }
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence.joined(separator: "; ") + ".")
    }

    func killTiming(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "keepalived removes a killed real within delay_loop + retry × delay_before_retry: its checks are refused "
            + "at once, so only the wait for the next check and the retries count."
        let runs = Self.checkedKills.flatMap { Self.runs($0, in: measured) }
        guard !runs.isEmpty else { return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(variants fast and slow not run)") }
        var holds = true
        let evidence = runs.map { run -> String in
            let bound = Self.base(String(run.variant.name.split(separator: "/")[0]))!.timing!.worstRemoval(cut: false)
            guard let removed = run.figures.removedAfter else {
                holds = false
                return "\(run.variant.name): not removed before the return (bound \(Int(bound)) s)"
            }
            if removed > bound + Self.slack { holds = false }
            return String(format: "%@: removed after %.2f s (bound %.0f s)", run.variant.name, removed, bound)
        }
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence.joined(separator: "; ") + ".")
    }

    func cutTiming(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let timing = HealthCheckTiming.fast
        let claim = "A cut link is detected later than a kill, by about connect_timeout × (retry + 1) "
            + "(\(Int(timing.cutPenalty)) s with the fast timing): every check waits out its timeout."
        let pairs = Self.runs("cut-fast", in: measured).compactMap { cut in
            Self.runs("fast", in: measured).first { Self.load(of: $0.variant) == Self.load(of: cut.variant) }.map { (cut, $0) }
        }
        guard !pairs.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(needs cut-fast and fast under the same load)")
        }
        var holds = true
        let evidence = pairs.map { cut, kill -> String in
            guard let c = cut.figures.removedAfter, let k = kill.figures.removedAfter else {
                holds = false
                return "\(Self.load(of: cut.variant)): a real was not removed before its return"
            }
            // Each removal waits up to a delay_loop for its next check: the difference may be off by one.
            if c <= k || c > timing.worstRemoval(cut: true) + Self.slack
                || abs(c - k - timing.cutPenalty) > Double(timing.delayLoop) + Self.slack { holds = false }
            return String(format: "%@: removed %.2f s after the cut vs %.2f s after the kill, %.2f s later; ",
                          Self.load(of: cut.variant), c, k, c - k)
                + "\(cut.figures.lostUntilRemoval) lost until the removal, \(cut.figures.lostLastSecond) in the last second before the return"
        }
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence.joined(separator: "; ") + ".")
    }

    func realReturns(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "keepalived puts a recovered real back into IPVS within two delay_loops + 1 s (its next checks pass); "
            + "whether it then answers depends on the load opening new connections."
        let checked = Self.bases.filter { $0.timing != nil }.flatMap { base in Self.runs(base.name, in: measured).map { (base, $0) } }
        guard !checked.isEmpty else { return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(no variant with a checker run)") }
        var holds = true
        var evidence = checked.map { base, run -> String in
            let bound = base.timing!.worstReturn
            guard let back = run.figures.backAfter else {
                holds = false
                return "\(run.variant.name): \(run.figures.removedAfter == nil ? "never removed" : "not back in IPVS by the end")"
            }
            if back > bound + Self.slack { holds = false }
            return String(format: "%@: back in IPVS %.2f s after the recovery (bound %.0f s), ", run.variant.name, back, bound)
                + (run.figures.answeringAfter.map { String(format: "answering within %.2f s", $0) } ?? "answering nothing by the end")
        }
        evidence += Self.runs("no-checker", in: measured).map { run in
            "\(run.variant.name) (never out of IPVS): "
                + (run.figures.answeringAfter.map { String(format: "answering within %.2f s", $0) } ?? "answering nothing by the end")
        }
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence.joined(separator: "; ") + ".")
    }
}
