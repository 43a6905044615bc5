import Foundation
import Lab
import LoadGen
import SystemKit
import Vocabulary

/// A stretch of the same load next to the measured window, for the numbers to compare with.
enum Reference: Equatable, Sendable {
    /// The client straight to real1, not crossing the director: the overhead ratio's base.
    case direct
    /// real1's plain-forward address: through the director without IPVS, the reference meter
    /// watching the director (skipped where the lab has no such address).
    case plain
}

/// The stretches before and after the window through IPVS, each half a window long.
struct References: Equatable, Sendable {
    var before: [Reference]
    var after: [Reference]

    /// A repeat of `lvsbench run` (A B A), the references nested symmetrically,
    ///
    ///     plain ½ · direct ½ · IPVS window · direct ½ · plain ½
    ///
    /// so a slow or fast moment of the shared machine falls on both sides of the ratio alike.
    static let bracketed = References(before: [.plain, .direct], after: [.direct, .plain])

    /// A point of `lvsbench sweep`: the plain-forward reference right after the window,
    /// while the window's IPVS counters settle.
    static let plainAfter = References(before: [], after: [.plain])
}

/// Where a measured window has got to. Each caller words its own progress lines and phase
/// markers (`LVSBENCH_PHASE_MARKERS`, which the interrupt suite aims its signals by) for them.
enum WindowStage: Equatable, Sendable {
    case warmUp
    /// The warm-up is over; the director's counters settle before the first reading.
    case settling
    /// The stretches that count begin (the first reference, or the window itself).
    case measuring
    case reference(Reference)
    case window
}

/// What one measured window runs: the load, the window's length, the warm-up before it and
/// the references around it.
struct WindowPlan {
    var kind: LoadKind
    var connections: Int
    /// Seconds of the window through IPVS; each reference runs half of it (at least `RunSettings.minWindow`).
    var duration: Double
    /// Total requests per second for every stretch; nil: closed loop.
    var rate: Double?
    /// Seconds of load through the director before the window, not measured (0: none, but
    /// the counters still settle after the reconfiguration); nil: no warm-up step at all,
    /// as for a cell's later repeats.
    var warmUp: Double?
    var references: References
    /// Runs each plain-forward stretch (the sweep lifts real1's cap around it).
    var aroundPlain: (() throws -> PlainForwardWindow) throws -> PlainForwardWindow = { try $0() }
    var announce: (WindowStage) -> Void = { _ in }
}

/// The window through IPVS, the director's counters over it and the references around it.
struct MeasuredWindow {
    var balanced: LoadReport
    var counters: WindowCounters
    var directBefore: LoadReport?
    var directAfter: LoadReport?
    /// The plain-forward stretches in the order they ran.
    var plain: [PlainForwardWindow]
}

extension LabBench {
    /// Runs `plan` in `lab`: the warm-up, the settling pause, the references before, the
    /// window with the meter watching, the references after, the meter's reading. The meter
    /// is abandoned on any error.
    ///
    /// IPVS folds its counters only every two seconds, so the window's first reading waits
    /// until `settleSeconds` have passed since the last plain stretch before it ended: that
    /// reading, compared with the one at the stretch's start, shows whether plain forwarding
    /// touched IPVS. Without a warm-up step the window starts with IPVS quiet only because
    /// the previous window's `stop` waited out the settling time.
    func measure(_ plan: WindowPlan, in lab: any ExperimentLab) throws -> MeasuredWindow {
        if let warmUp = plan.warmUp {
            plan.announce(.warmUp)
            if warmUp > 0 {
                _ = try load.run(from: lab.client, kind: plan.kind, target: lab.serviceTarget,
                                 connections: plan.connections, duration: warmUp, rate: plan.rate)
            }
            plan.announce(.settling)
            // The warm-up's (or the reconfiguration's) traffic must reach the director's
            // counters before the window's first reading.
            try pause(until: Date().addingTimeInterval(meter.settleSeconds))
        }
        plan.announce(.measuring)
        var plain: [PlainForwardWindow] = []
        var directBefore: LoadReport?
        var directAfter: LoadReport?
        do {
            var plainEnd: Date?
            for reference in plan.references.before {
                switch reference {
                case .direct: directBefore = try direct(plan, in: lab)
                case .plain:
                    plain += try plainForward(plan, in: lab).map { [$0] } ?? []
                    plainEnd = Date()
                }
            }
            if let plainEnd { try pause(until: plainEnd.addingTimeInterval(meter.settleSeconds)) }
            plan.announce(.window)
            try meter.start(lab: lab)
            let balanced = try load.run(from: lab.client, kind: plan.kind, target: lab.serviceTarget,
                                        connections: plan.connections, duration: plan.duration, rate: plan.rate)
            try meter.endWindow()
            for reference in plan.references.after {
                switch reference {
                case .direct: directAfter = try direct(plan, in: lab)
                case .plain: plain += try plainForward(plan, in: lab).map { [$0] } ?? []
                }
            }
            let counters = try meter.stop()
            return MeasuredWindow(balanced: balanced, counters: counters, directBefore: directBefore,
                                     directAfter: directAfter, plain: plain)
        } catch {
            meter.abandon()
            throw error
        }
    }

    private func referenceSeconds(_ plan: WindowPlan) -> Double {
        Swift.max(plan.duration / 2, RunSettings.minWindow)
    }

    private func direct(_ plan: WindowPlan, in lab: any ExperimentLab) throws -> LoadReport {
        plan.announce(.reference(.direct))
        return try load.run(from: lab.client, kind: plan.kind, target: lab.directTarget(real: 0),
                            connections: plan.connections, duration: referenceSeconds(plan), rate: plan.rate)
    }

    /// The load to real1's plain-forward address with the reference meter watching the
    /// director; nil when the lab has no such address.
    private func plainForward(_ plan: WindowPlan, in lab: any ExperimentLab) throws -> PlainForwardWindow? {
        guard let target = lab.plainForwardTarget else { return nil }
        plan.announce(.reference(.plain))
        return try plan.aroundPlain {
            try meter.startReference(lab: lab)
            let report = try load.run(from: lab.client, kind: plan.kind, target: target, connections: plan.connections,
                                      duration: referenceSeconds(plan), rate: plan.rate)
            return PlainForwardWindow(load: report, director: try meter.stopReference())
        }
    }
}
