import Foundation
import IPVSControl
import Lab
import LoadGen
import Results
import SystemKit
import Vocabulary

/// One measured point of a sweep: `reals` capped reals in the service, the load through the
/// director and the director's counters (the summary's `SweepMeasurement` is derived from it).
public struct SweepMeasurement: Codable, Equatable, Sendable {
    public var reals: Int
    public var load: LoadReport
    public var counters: WindowCounters
    public var windowSeconds: Double
    /// The same director plain-forwarding to real1, uncapped, right after the window.
    public var plain: PlainForwardWindow?

    public var rps: Double { load.rps }
    /// Response bytes per second the client received.
    public var bytesPerSecond: Double { load.duration_s > 0 ? Double(load.bytes_received) / load.duration_s : 0 }
    public var connectionsPerSecond: Double {
        load.duration_s > 0 ? Double(load.connections_opened) / load.duration_s : 0
    }
}

/// A mode's sweep: its points in order of reals and where the knee is.
public struct SweepCurve: Codable, Equatable, Sendable {
    public var mode: LabMode
    public var points: [SweepMeasurement]
    /// Bytes per second each real was capped at (for --real-rps: the rate times the bytes a
    /// response takes on the wire, measured in the lab).
    public var capBytesPerSecond: Int
    public var kneeReals: Int? { KneeFinder.knee(of: summaryPoints) }

    /// The points as the summary states them.
    public var summaryPoints: [SweepPoint] {
        points.map { m in
            let c = m.counters
            let seconds = m.windowSeconds > 0 ? m.windowSeconds : 1
            return SweepPoint(reals: m.reals, rps: m.rps, bytesPerSecond: m.bytesPerSecond,
                              cps: m.connectionsPerSecond, p99US: Double(m.load.latency_us.p99),
                              directorPPS: Double(c.traffic.inPackets + c.traffic.outPackets) / seconds,
                              directorBytesPerSecond: Double(c.traffic.inBytes + c.traffic.outBytes) / seconds,
                              directorCPUPct: c.busyPercent, plainForward: m.forwardCost)
        }
    }

    /// The summary's sweep section for this mode: points, knee and capacity model.
    public var modeSweep: ModeSweep {
        ModeSweep(points: summaryPoints, perRealBytesPerSecond: Double(capBytesPerSecond))
    }
}

/// Grows the number of capped reals behind one director per mode. The lab of a mode is
/// built once with the largest N; a point sets weight 1 on its first N reals and 0 on the
/// rest (rr skips weight-0 reals), so no lab is rebuilt between points. Labs are built and
/// cleaned up by `LabBench.eachLab`, each point measured by `LabBench.measure` with the
/// plain-forward reference after the window (`References.plainAfter`). Because points reuse
/// one lab and one client's ports, the director reschedules reused ports in every mode
/// (`ReusedPorts`).
public struct SweepRunner {
    public var settings: SweepSettings
    public var bench: LabBench
    /// Caps a real; replaced in tests. Production: tc tbf through the real's node.
    public var capReal: (any LabNode, Int) throws -> Void = { try RealCapper.cap($0, bytesPerSecond: $1) }
    /// Lifts a real's cap for the plain-forward reference; replaced in tests.
    public var uncapReal: (any LabNode) throws -> Void = { try RealCapper.uncap($0) }
    /// Bytes one response takes on the wire leaving a real, for --real-rps.
    public var wireBytesPerResponse: (any ExperimentLab, LoadSource) throws -> Double = SweepRunner.measureWireBytes

    /// The sweep applies no tuning, so the bench has none to restore.
    public init(settings: SweepSettings, bench: LabBench) {
        self.settings = settings
        self.bench = bench
        self.bench.tuning = nil
    }

    public init(settings: SweepSettings, labs: LabFactory, load: LoadSource, meter: WindowMeter,
                interrupted: @escaping () -> Bool = { SignalTrap.interrupted },
                progress: ProgressLine = ProgressLine()) {
        self.init(settings: settings,
                  bench: LabBench(labs: labs, load: load, meter: meter, interrupted: interrupted, progress: progress))
    }

    /// Sweeps every mode; `onLab` learns each lab once it is up, `onCurve` gets each mode's
    /// curve once its lab is down.
    public func run(onLab: (any ExperimentLab) throws -> Void = { _ in },
                    onCurve: (SweepCurve) throws -> Void) throws {
        try bench.eachLab(settings.modes, mode: \.self, reals: settings.maxReals, onLab: onLab, work: { _, lab in
            try sweep(lab)
        }, kept: { curve in
            try onCurve(curve)
            // A signal during the teardown ends the sweep as interrupted with the curve kept,
            // and without the knee line that says the sweep goes on.
            try bench.checkInterrupted()
            let knee = curve.kneeReals.map(String.init) ?? "not reached"
            bench.progress.finish("\(curve.mode.rawValue): knee at \(knee) reals")
        })
    }

    private func sweep(_ lab: any ExperimentLab) throws -> SweepCurve {
        let cap: Int
        switch settings.cap {
        case .bytesPerSecond(let b): cap = b
        case .requestsPerSecond(let r): cap = Int((Double(r) * (try wireBytesPerResponse(lab, bench.load))).rounded())
        }
        try ReusedPorts.reschedule(on: lab.director)
        for real in lab.reals { try capReal(real, cap) }
        var points: [SweepMeasurement] = []
        for n in settings.realCounts {
            try bench.checkInterrupted()
            let weights = (0..<lab.reals.count).map { $0 < n ? 1 : 0 }
            try lab.configure(scheduler: .rr, weights: weights)
            let window = try bench.measure(plan(reals: n, cap: cap, in: lab), in: lab)
            points.append(SweepMeasurement(reals: n, load: window.balanced, counters: window.counters,
                                           windowSeconds: settings.duration, plain: window.plain.first))
            bench.progress.finish("\(lab.mode.rawValue): \(n) reals: \(Int(window.balanced.rps.rounded())) req/s")
        }
        return SweepCurve(mode: lab.mode, points: points, capBytesPerSecond: cap)
    }

    /// The point with `n` reals: the load through the director, then half a window of the
    /// same load plain-forwarded through the director to real1 with its cap lifted, while the
    /// window's IPVS counters settle.
    private func plan(reals n: Int, cap: Int, in lab: any ExperimentLab) -> WindowPlan {
        let progress = bench.progress
        let point = "\(lab.mode.rawValue) \(n) reals"
        var plan = WindowPlan(kind: settings.load, connections: settings.connections(forReals: n),
                              duration: settings.duration, rate: nil, warmUp: settings.warmup,
                              references: .plainAfter, announce: { stage in
            switch stage {
            case .warmUp:
                progress.show("\(lab.mode.rawValue): \(n) reals, warm-up")
                progress.phase("warm-up", point)
            case .settling: progress.show("\(lab.mode.rawValue): \(n) reals, measuring")
            case .measuring, .reference(.direct): break
            case .reference(.plain): progress.show("\(lab.mode.rawValue): plain-forward reference")
            case .window: progress.phase("window", point)
            }
        })
        plan.aroundPlain = { stretch in
            try uncapReal(lab.reals[0])
            let window = try stretch()
            try capReal(lab.reals[0], cap)
            return window
        }
        return plan
    }

    /// Sends a short uncapped load straight to the first real and divides the bytes its
    /// links sent by the responses: headers, TCP/IP and Ethernet overhead included, which is
    /// what a tbf on the link counts.
    public static func measureWireBytes(_ lab: any ExperimentLab, _ load: LoadSource) throws -> Double {
        let real = lab.reals[0]
        let before = try RealCapper.transmittedBytes(real)
        let report = try load.run(from: lab.client, kind: .http, target: lab.directTarget(real: 0),
                                  connections: 4, duration: 1, rate: nil)
        let sent = try RealCapper.transmittedBytes(real) - before
        guard report.requests > 0, sent > 0 else {
            throw RuntimeFailure("cannot size a response of \(real.name) for --real-rps: no response on the direct path")
        }
        return Double(sent) / Double(report.requests)
    }
}
