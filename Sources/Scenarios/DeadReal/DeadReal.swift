import Foundation
import Results
import SystemKit
import Vocabulary

/// `dead-real`: one real dies under load and the director is left alone, told to quiesce
/// it, or told to forget it, with `expire_nodest_conn` and persistence templates varied.
/// The kernel's documentation says what should happen; this measures it.
public struct DeadReal: ScenarioDefinition {
    public init() {}

    public let name = "dead-real"
    public let summary = "a real's servers are killed (or its link cut) under load; weight 0, removal, expire_nodest_conn, persistence"
    public let question = "What happens to requests when a real server dies and nothing checks its health, and which "
        + "reaction of the director (none, weight 0, removal, expire_nodest_conn, expire_quiescent_template) loses "
        + "the fewest? The real's servers are killed (the kernel then resets its connections at once) or its link is "
        + "cut (packets vanish, nothing is reset), at a known time under keep-alive and under new-connection load."

    /// Each base variant: how the real dies, what the director is told at the same moment,
    /// and the IPVS sysctls set before the load.
    struct Base {
        var name: String
        var description: String
        var cut: Bool
        var reaction: Reaction
        var sysctls: [(String, String)]
        var persistence: Int?
    }

    enum Reaction { case none, weightZero, remove }

    static let persistenceSeconds = 60

    static let bases: [Base] = [
        Base(name: "nothing", description: "The real's servers are killed; the director is not told.",
             cut: false, reaction: .none, sysctls: [], persistence: nil),
        Base(name: "weight-0", description: "The real's servers are killed and its weight set to 0 at the same moment (quiescing).",
             cut: false, reaction: .weightZero, sysctls: [], persistence: nil),
        Base(name: "removed", description: "The real's servers are killed and the real removed from the service; expire_nodest_conn=0 (the default).",
             cut: false, reaction: .remove, sysctls: [("net.ipv4.vs.expire_nodest_conn", "0")], persistence: nil),
        Base(name: "removed-expire", description: "As removed, with expire_nodest_conn=1.",
             cut: false, reaction: .remove, sysctls: [("net.ipv4.vs.expire_nodest_conn", "1")], persistence: nil),
        Base(name: "cut", description: "The real's link is cut; the director is not told.",
             cut: true, reaction: .none, sysctls: [], persistence: nil),
        Base(name: "cut-removed", description: "The real's link is cut and the real removed; expire_nodest_conn=0.",
             cut: true, reaction: .remove, sysctls: [("net.ipv4.vs.expire_nodest_conn", "0")], persistence: nil),
        Base(name: "cut-removed-expire", description: "As cut-removed, with expire_nodest_conn=1.",
             cut: true, reaction: .remove, sysctls: [("net.ipv4.vs.expire_nodest_conn", "1")], persistence: nil),
        Base(name: "persistent-weight-0",
             description: "Persistence (-p \(persistenceSeconds)): the client is pinned to one real; that real's servers are killed and its weight set to 0; expire_quiescent_template=0 (the default).",
             cut: false, reaction: .weightZero, sysctls: [("net.ipv4.vs.expire_quiescent_template", "0")],
             persistence: persistenceSeconds),
        Base(name: "persistent-weight-0-expire", description: "As persistent-weight-0, with expire_quiescent_template=1.",
             cut: false, reaction: .weightZero, sysctls: [("net.ipv4.vs.expire_quiescent_template", "1")],
             persistence: persistenceSeconds),
        Base(name: "persistent-weight-0-expire-nodest",
             description: "As persistent-weight-0-expire, with expire_nodest_conn=1 too.",
             cut: false, reaction: .weightZero,
             sysctls: [("net.ipv4.vs.expire_quiescent_template", "1"), ("net.ipv4.vs.expire_nodest_conn", "1")],
             persistence: persistenceSeconds),
    ]

    public var variantNames: [String] { Self.bases.map(\.name) }

    public func variants(_ options: ScenarioOptions) throws -> [VariantPlan] {
        let d = try ScenarioDefaults().merged(options)
        guard d.reals >= 2 else { throw InvalidInput("--reals \(d.reals): dead-real needs at least 2 reals (one dies, one serves)") }
        let wanted = try options.selected(from: self)
        return Self.bases.filter { wanted.contains($0.name) }.flatMap { base in
            d.loads.map { kind in plan(base, kind: kind, defaults: d) }
        }
    }

    func plan(_ base: Base, kind: LoadKind, defaults d: ScenarioDefaults) -> VariantPlan {
        var steps = [base.cut
            ? ScenarioStep("cut the real's link") { try $0.cutLink(real: $0.targetReal()) }
            : ScenarioStep("kill the real's servers") { try $0.killServers(real: $0.targetReal()) }]
        switch base.reaction {
        case .none: break
        case .weightZero: steps.append(ScenarioStep("set its weight to 0") { try $0.setWeight(real: $0.targetReal(), weight: 0) })
        case .remove: steps.append(ScenarioStep("remove it from the service") { try $0.removeReal($0.targetReal()) })
        }
        let prepare = base.sysctls.map { key, value in
            ScenarioStep("\(key)=\(value)") { try $0.setDirectorSysctl(key, value) }
        }
        return VariantPlan(name: "\(base.name)/\(kind.rawValue)", description: base.description,
                           lab: LabShape(mode: d.mode, reals: d.reals, scheduler: .rr, persistence: base.persistence),
                           load: d.load(kind), prepare: prepare, events: [TimedStep(at: d.faultAt, steps)],
                           target: base.persistence == nil ? .real(2) : .busiest)
    }

    public func findings(_ measured: [ScenarioVariant]) -> [ScenarioFinding] {
        [keepsSending(measured), weightZeroDrains(measured), expireNodest(measured), quiescentTemplate(measured),
         reusedPortsRideTemplates(measured)]
    }

    /// The variants of base `name`, one per load.
    static func runs(_ name: String, in measured: [ScenarioVariant]) -> [ScenarioVariant] {
        measured.filter { $0.name.split(separator: "/").first.map(String.init) == name }
    }

    func keepsSending(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "Without health checking, the director keeps sending new connections to a dead real."
        let runs = Self.runs("nothing", in: measured)
        guard !runs.isEmpty else { return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(variant nothing not run)") }
        // Under keep-alive load only the connections the death broke reconnect, and those
        // that land on a live real stay there: the service recovers though the director
        // still sends the dead real its share of every new connection.
        let sent = runs.allSatisfy { ($0.metrics.scheduledToFaultyReal ?? 0) > 0 }
        let evidence = runs.map { v in
            "\(v.name): \(v.metrics.scheduledToFaultyReal ?? 0) new connections scheduled to the dead real after the kill, "
                + "\(v.metrics.lostAfterFault) requests lost, \(v.metrics.recoverySeconds == nil ? "never recovered" : String(format: "recovered after %.2f s", v.metrics.recoverySeconds!))"
        }.joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: sent ? .shown : .refuted, evidence: evidence + ".")
    }

    /// Judged on the SYNs the scheduler chose: a SYN that repeats a client address and port
    /// the real already had follows the old entry, which no weight can stop (in DR and TUN
    /// `conn_reuse_mode=1` does not reschedule a reused port), and the losses it causes are
    /// port-reuse's finding, not a failure to quiesce.
    func weightZeroDrains(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "Weight 0 quiesces a real: the scheduler sends it no new connections, and the service recovers "
            + "unless reused client ports follow their old entries to it (see port-reuse)."
        let runs = Self.runs("weight-0", in: measured)
        guard !runs.isEmpty else { return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(variant weight-0 not run)") }
        let drained = runs.allSatisfy { v in
            guard let total = v.metrics.scheduledToFaultyReal else { return false }
            let repeated = v.metrics.repeatedSynsToFaultyReal ?? 0
            return total == repeated && (v.metrics.recoverySeconds != nil || repeated > 0)
        }
        let evidence = runs.map { v in
            let m = v.metrics, repeated = m.repeatedSynsToFaultyReal ?? 0
            let scheduled = m.scheduledToFaultyReal.map { String($0 - min($0, repeated)) } ?? "?"
            return "\(v.name): \(scheduled) new connections scheduled to the real after weight 0"
                + (repeated > 0 ? " and \(repeated) SYNs that repeated a client address and port it had already had "
                    + "(reused ports following their old entries, or retransmissions)" : "")
                + ", \(m.lostAfterFault) requests lost, "
                + (m.recoverySeconds.map { String(format: "recovered after %.2f s", $0) } ?? "never recovered")
        }.joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: drained ? .shown : .refuted, evidence: evidence + ".")
    }

    /// Entries pointing at the real one second after the reaction, from the director's table.
    static func entriesSoonAfter(_ v: ScenarioVariant) -> Int? {
        guard let real = v.metrics.faultyReal, let done = v.events.first?.doneT else { return nil }
        return v.director.last { $0.t <= done + 1 && $0.t >= done }?.reals[real]?.tableEntries
            ?? v.director.first { $0.t >= done }.map { $0.reals[real]?.tableEntries ?? 0 }
    }

    func expireNodest(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "Removing a real with expire_nodest_conn=1 drops its connection entries at once; with 0 they stay until they expire."
        let keep = Self.runs("cut-removed", in: measured), drop = Self.runs("cut-removed-expire", in: measured)
        let pairs = keep.compactMap { k in
            drop.first { $0.name.split(separator: "/").last == k.name.split(separator: "/").last }.map { (k, $0) }
        }
        guard !pairs.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(needs cut-removed and cut-removed-expire under the same load)")
        }
        var holds = true
        let evidence = pairs.map { k, d -> String in
            let kept = Self.entriesSoonAfter(k), dropped = Self.entriesSoonAfter(d)
            if !((dropped ?? 1) == 0 && (kept ?? 0) > 0) { holds = false }
            return "\(k.name.split(separator: "/").last!): 1 s after removal the table still held \(kept.map(String.init) ?? "?") entries "
                + "for the real with 0, \(dropped.map(String.init) ?? "?") with 1; requests lost \(k.metrics.lostAfterFault) vs \(d.metrics.lostAfterFault)"
        }.joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence + ".")
    }

    /// SYNs to the quiesced real from `from` seconds after the reaction on: late ones are
    /// reused client ports, not the template.
    static func lateSyns(_ v: ScenarioVariant, after delay: Double = 1) -> UInt64? {
        guard let real = v.metrics.faultyRealName, let done = v.events.first?.doneT, let wire = v.wire else { return nil }
        return wire.filter { $0.t >= done + delay }.reduce(0) { $0 + ($1.syns[real] ?? 0) }
    }

    /// The kernel never reschedules a reused client port whose old entry a persistence
    /// template controls (`is_new_conn_expected` refuses controlled connections), so the
    /// SYN rides that entry to the quiesced real; only expire_nodest_conn=1 reschedules it.
    func reusedPortsRideTemplates(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "Even with expire_quiescent_template=1, a client port reused under new-connection load rides its old "
            + "persistent entry back to the quiesced real (conn_reuse_mode does not reschedule connections a template "
            + "controls); expire_nodest_conn=1 reschedules them."
        let pairs = Self.runs("persistent-weight-0-expire", in: measured).compactMap { e in
            Self.runs("persistent-weight-0-expire-nodest", in: measured)
                .first { $0.name.split(separator: "/").last == e.name.split(separator: "/").last }.map { (e, $0) }
        }.filter { $0.0.name.hasSuffix("/http-close") || $0.0.name.hasSuffix("/tcp-crr") }
        guard !pairs.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured,
                                   evidence: "(needs persistent-weight-0-expire and -expire-nodest under a new-connection load)")
        }
        var holds = true
        let evidence = pairs.map { e, n -> String in
            let late = Self.lateSyns(e), fixed = Self.lateSyns(n)
            if !((late ?? 0) > 0 && (fixed ?? 1) == 0) { holds = false }
            return "\(e.name.split(separator: "/").last!): from 1 s after the weight change on, \(late.map(String.init) ?? "?") SYNs "
                + "reached the quiesced real with expire_quiescent_template=1 alone, \(fixed.map(String.init) ?? "?") with "
                + "expire_nodest_conn=1 too; requests lost \(e.metrics.lostAfterFault) vs \(n.metrics.lostAfterFault)"
        }.joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence + ".")
    }

    func quiescentTemplate(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "With persistence, a real at weight 0 keeps getting its pinned clients' new connections until the "
            + "template expires, unless expire_quiescent_template=1."
        let keep = Self.runs("persistent-weight-0", in: measured), drop = Self.runs("persistent-weight-0-expire", in: measured)
        guard !keep.isEmpty, !drop.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(needs persistent-weight-0 and persistent-weight-0-expire)")
        }
        // Judged on the first second after the change: later SYNs to the real are reused
        // client ports riding old entries (the next finding), not the template.
        func early(_ v: ScenarioVariant) -> UInt64? {
            guard let total = v.metrics.scheduledToFaultyReal else { return nil }
            return total - min(total, Self.lateSyns(v) ?? 0)
        }
        let keptSending = keep.allSatisfy { (early($0) ?? 0) > 0 }
        let rescheduled = drop.allSatisfy { (early($0) ?? 1) == 0 }
        let evidence = (keep + drop).map { v in
            "\(v.name): \(early(v).map(String.init) ?? "?") new connections to the quiesced real in the first second after "
                + "the change (\(v.metrics.scheduledToFaultyReal.map(String.init) ?? "?") in all), "
                + (v.metrics.recoverySeconds.map { String(format: "recovered after %.2f s", $0) } ?? "never recovered")
        }.joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: keptSending && rescheduled ? .shown : .refuted, evidence: evidence + ".")
    }
}
