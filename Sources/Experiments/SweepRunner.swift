import Foundation
import IPVSControl
import Lab
import LoadGen
import Results
import SystemKit

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
    public var mode: RunMode
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
/// rest (rr skips weight-0 reals), so no lab is rebuilt between points.
public struct SweepRunner {
    public var settings: SweepSettings
    public var labs: LabFactory
    public var load: LoadSource
    public var meter: WindowMeter
    /// Polled between steps; true stops the run with `Interrupted` after cleanup.
    public var interrupted: () -> Bool
    public var progress: ProgressLine
    /// Caps a real; replaced in tests. Production: tc tbf through the real's node.
    public var capReal: (any LabNode, Int) throws -> Void = { try RealCapper.cap($0, bytesPerSecond: $1) }
    /// Lifts a real's cap for the plain-forward reference; replaced in tests.
    public var uncapReal: (any LabNode) throws -> Void = { try RealCapper.uncap($0) }
    /// Bytes one response takes on the wire leaving a real, for --real-rps.
    public var wireBytesPerResponse: (any ExperimentLab, LoadSource) throws -> Double = SweepRunner.measureWireBytes

    public init(settings: SweepSettings, labs: LabFactory, load: LoadSource, meter: WindowMeter,
                interrupted: @escaping () -> Bool = { SignalTrap.interrupted },
                progress: ProgressLine = ProgressLine()) {
        self.settings = settings
        self.labs = labs
        self.load = load
        self.meter = meter
        self.interrupted = interrupted
        self.progress = progress
    }

    public func run(onLab: (any ExperimentLab) throws -> Void = { _ in },
                    onCurve: (SweepCurve) throws -> Void) throws {
        for mode in settings.modes {
            try checkInterrupted()
            progress.show("building the \(mode.rawValue) lab with \(settings.maxReals) reals ...")
            progress.phase("build", "\(mode.rawValue) lab")
            let lab = try labs.build(mode: mode, reals: settings.maxReals)
            let curve: SweepCurve
            do {
                try onLab(lab)
                curve = try sweep(lab)
            } catch {
                progress.phase("teardown", mode.rawValue)
                meter.abandon()
                let left = CleanupFailed.attempt { try lab.tearDown() }
                throw CleanupFailed.outcome(of: error, left: left.map { [$0] } ?? [], interrupted: interrupted())
            }
            progress.phase("teardown", mode.rawValue)
            try lab.tearDown()
            try onCurve(curve)
            // A signal during the teardown ends the sweep as interrupted (the curve is kept).
            try checkInterrupted()
            let knee = curve.kneeReals.map(String.init) ?? "not reached"
            progress.finish("\(mode.rawValue): knee at \(knee) reals")
        }
    }

    private func sweep(_ lab: any ExperimentLab) throws -> SweepCurve {
        let cap: Int
        switch settings.cap {
        case .bytesPerSecond(let b): cap = b
        case .requestsPerSecond(let r): cap = Int((Double(r) * (try wireBytesPerResponse(lab, load))).rounded())
        }
        for real in lab.reals { try capReal(real, cap) }
        var points: [SweepMeasurement] = []
        for n in settings.realCounts {
            try checkInterrupted()
            let weights = (0..<lab.reals.count).map { $0 < n ? 1 : 0 }
            try lab.configure(scheduler: .rr, weights: weights)
            let c = settings.connections(forReals: n)
            progress.show("\(lab.mode.rawValue): \(n) reals, warm-up")
            progress.phase("warm-up", "\(lab.mode.rawValue) \(n) reals")
            _ = try load.measure(from: lab.client, kind: settings.load, target: lab.serviceTarget, connections: c,
                                 duration: settings.warmup, rate: nil)
            progress.show("\(lab.mode.rawValue): \(n) reals, measuring")
            try pause(meter.settleSeconds)
            progress.phase("window", "\(lab.mode.rawValue) \(n) reals")
            try meter.start(lab: lab)
            let report: LoadReport
            let counters: WindowCounters
            let plain: PlainForwardWindow?
            do {
                report = try load.measure(from: lab.client, kind: settings.load, target: lab.serviceTarget,
                                          connections: c, duration: settings.duration, rate: nil)
                try meter.endWindow()
                plain = try plainReference(lab, connections: c, cap: cap)
                counters = try meter.stop()
            } catch {
                meter.abandon()
                throw error
            }
            points.append(SweepMeasurement(reals: n, load: report, counters: counters, windowSeconds: settings.duration,
                                           plain: plain))
            progress.finish("\(lab.mode.rawValue): \(n) reals: \(Int(report.rps.rounded())) req/s")
        }
        return SweepCurve(mode: lab.mode, points: points, capBytesPerSecond: cap)
    }

    /// Half a window of the same load plain-forwarded through the director to real1 with its
    /// cap lifted, while the window's IPVS counters settle; nil when the lab has no
    /// plain-forward address.
    private func plainReference(_ lab: any ExperimentLab, connections: Int, cap: Int) throws -> PlainForwardWindow? {
        guard lab.plainForwardTarget != nil else { return nil }
        progress.show("\(lab.mode.rawValue): plain-forward reference")
        try uncapReal(lab.reals[0])
        let window = try PlainForwardWindow.measure(lab: lab, load: load, meter: meter, kind: settings.load,
                                                    connections: connections,
                                                    duration: Swift.max(settings.duration / 2, RunSettings.minWindow),
                                                    rate: nil)
        try capReal(lab.reals[0], cap)
        return window
    }

    /// Sends a short uncapped load straight to the first real and divides the bytes its
    /// links sent by the responses: headers, TCP/IP and Ethernet overhead included, which is
    /// what a tbf on the link counts.
    public static func measureWireBytes(_ lab: any ExperimentLab, _ load: LoadSource) throws -> Double {
        let real = lab.reals[0]
        let before = try RealCapper.transmittedBytes(real)
        let report = try load.measure(from: lab.client, kind: .http, target: lab.directTarget(real: 0),
                                      connections: 4, duration: 1, rate: nil)
        let sent = try RealCapper.transmittedBytes(real) - before
        guard report.requests > 0, sent > 0 else {
            throw RuntimeFailure("cannot size a response of \(real.name) for --real-rps: no response on the direct path")
        }
        return Double(sent) / Double(report.requests)
    }
}

extension SweepRunner {
    /// Sleeps in short steps so a signal is noticed at once.
    func pause(_ seconds: Double) throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            try checkInterrupted()
            usleep(50_000)
        }
    }

    func checkInterrupted() throws {
        if interrupted() { throw Interrupted() }
    }
}
