import Foundation
import Lab
import LoadGen
import SystemKit

/// One repeat of a cell with its references around it (A B A): the plain-forward reference
/// and the direct path each run half a window before and half after the window through
/// IPVS, nested symmetrically,
///
///     plain ½ · direct ½ · IPVS window · direct ½ · plain ½
///
/// so a slow or fast moment of the shared machine falls on both sides of the ratio alike.
///
/// IPVS folds its counters only every two seconds, so the window's first reading waits
/// until `settleSeconds` have passed since the first plain stretch ended: that reading,
/// compared with the one at the stretch's start, shows whether plain forwarding touched
/// IPVS. The repeat starts with IPVS quiet (the runner settles after the warm-up, and the
/// previous repeat's `stop` waits out the settling time).
struct BracketedRepeat {
    var load: LoadSource
    var meter: WindowMeter
    var interrupted: () -> Bool
    /// Announces each stretch ("plain", "direct", "window") as it starts, for the phase
    /// markers (`LVSBENCH_PHASE_MARKERS`) that the interrupt suite aims its signals by.
    var phase: (String) -> Void = { _ in }

    func run(_ cell: CellSpec, duration: Double, rate: Double?, in lab: any ExperimentLab) throws -> RepeatMeasurement {
        let half = Swift.max(duration / 2, RunSettings.minWindow)
        func reference(_ target: LoadEndpoint) throws -> LoadReport {
            phase("direct")
            return try load.measure(from: lab.client, kind: cell.load, target: target, connections: cell.connections,
                             duration: half, rate: rate)
        }
        func plain() throws -> PlainForwardWindow? {
            guard lab.plainForwardTarget != nil else { return nil }
            phase("plain")
            return try PlainForwardWindow.measure(lab: lab, load: load, meter: meter, kind: cell.load,
                                                  connections: cell.connections, duration: half, rate: rate)
        }
        do {
            let plainBefore = try plain()
            let plainEnd = Date()
            let directBefore = try reference(lab.directTarget(real: 0))
            try pause(until: plainEnd.addingTimeInterval(meter.settleSeconds))
            phase("window")
            try meter.start(lab: lab)
            let balanced = try load.measure(from: lab.client, kind: cell.load, target: lab.serviceTarget,
                                            connections: cell.connections, duration: duration, rate: rate)
            try meter.endWindow()
            let directAfter = try reference(lab.directTarget(real: 0))
            let plainAfter = try plain()
            let counters = try meter.stop()
            let plain = [plainBefore, plainAfter].compactMap { $0 }
            return RepeatMeasurement(balanced: balanced, direct: directBefore, counters: counters,
                                     directAfter: directAfter, plain: plain.isEmpty ? nil : plain)
        } catch {
            meter.abandon()
            throw error
        }
    }

    /// Sleeps in short steps so a signal is noticed at once.
    private func pause(until end: Date) throws {
        while Date() < end {
            if interrupted() { throw Interrupted() }
            usleep(50_000)
        }
    }
}
