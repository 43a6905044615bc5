import Balancing
import Collector
import Foundation
import Lab
import SystemKit

/// The collector as the runner's window meter. Only the director is sampled: each sample
/// of a UML director is a round trip through its agent, and the reals' figures come from
/// the load generator. The window's traffic and each real's new connections come from the
/// lab's balancer (`ExperimentLab.balancerCounters`, whatever balances the lab), read once
/// before the window and once `settleSeconds` after it (see `WindowMeter`); CPU and
/// data-link packets from the collector's samples taken during it.
public final class CollectorMeter: WindowMeter {
    public let interval: Double
    /// The IPVS estimator's 2-second tick plus a margin for a busy guest. Other balancers
    /// count at once, but waiting for them too keeps every balancer's windows alike.
    public let settleSeconds: Double
    private var collector: Collector?
    private var lab: (any ExperimentLab)?
    private var before: [ServiceReading]?
    private var window: TimeSeries?
    private var windowEnd = Date()
    private var referenceCollector: Collector?
    /// The balancer's packets when the last plain-forward stretch started: compared with the
    /// next window's first reading, they show whether the stretch touched the balancer.
    private var referenceStart: Int?
    private var bypass: Int?

    public init(interval: Double = 0.5, settleSeconds: Double = 2.3) {
        self.interval = interval
        self.settleSeconds = settleSeconds
    }

    public func start(lab: any ExperimentLab) throws {
        let collector = try Collector(nodes: [lab.director], interval: interval)
        // Read before sampling starts, so the read's own cost stays out of the window's CPU.
        let readings = try Self.read(lab)
        before = readings
        bypass = referenceStart.map { Self.packets(readings) &- $0 }
        referenceStart = nil
        collector.start()
        self.collector = collector
        self.lab = lab
        window = nil
    }

    public func endWindow() throws {
        guard let collector else { throw RuntimeFailure("collector window ended before it was started") }
        window = collector.stop()
        windowEnd = Date()
    }

    public func stop() throws -> WindowCounters {
        guard collector != nil, let lab, let before, let window else {
            throw RuntimeFailure("collector stopped before its window was measured")
        }
        self.collector = nil
        self.before = nil
        // A stretch after the window is not followed by a settled reading before the next
        // window's warm-up: it proves nothing about the balancer, so it is forgotten.
        let bypass = self.bypass
        self.bypass = nil
        referenceStart = nil
        let wait = settleSeconds - Date().timeIntervalSince(windowEnd)
        if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        let measured = Self.window(before: before, after: try Self.read(lab))
        let director = lab.director.name
        let cpu = CollectionSummary(window, director: director)
        let conns = lab.realAddresses.map { Self.connections(measured.reals, real: $0) }
        return WindowCounters(traffic: measured.traffic,
                              softirqPercent: cpu.directorSoftirqPercent ?? 0,
                              busyPercent: cpu.directorBusyPercent ?? 0,
                              realConnections: conns.isEmpty ? lab.reals.map { _ in 0 } : conns, samples: window.samples,
                              director: DirectorReading.from(window, director: director),
                              ipvsPacketsDuringReference: bypass)
    }

    public func startReference(lab: any ExperimentLab) throws {
        // The balancer's packets first, so the read stays out of the reference's CPU.
        let packets = Self.packets(try Self.read(lab))
        // Sampled exactly as the measured window is, so both sides pay the same sampling cost.
        let collector = try Collector(nodes: [lab.director], interval: interval)
        collector.start()
        referenceCollector = collector
        referenceStart = packets
        self.lab = lab
    }

    public func stopReference() throws -> DirectorReading {
        guard let collector = referenceCollector, let lab else {
            throw RuntimeFailure("plain-forward reference stopped before it was started")
        }
        referenceCollector = nil
        let series = collector.stop()
        guard let reading = DirectorReading.from(series, director: lab.director.name) else {
            let reason = CollectionSummary(series, director: lab.director.name).errors.first ?? "fewer than two readings"
            throw RuntimeFailure("director CPU unavailable for the plain-forward reference: \(reason)")
        }
        return reading
    }

    public func abandon() {
        if let collector, window == nil { _ = collector.stop() }
        collector = nil
        before = nil
        if let referenceCollector { _ = referenceCollector.stop() }
        referenceCollector = nil
        referenceStart = nil
    }

    /// The lab's balancer counters, or the window's one-line failure.
    static func read(_ lab: any ExperimentLab) throws -> [ServiceReading] {
        do {
            return try lab.balancerCounters()
        } catch {
            throw RuntimeFailure("director counters unavailable for the window: \(error)")
        }
    }

    /// Packets in and out over every service, saturating.
    static func packets(_ readings: [ServiceReading]) -> Int {
        let total = readings.reduce(BalancerCounters.zero) { $0 + $1.counters }
        return Int(clamping: total.inPackets &+ total.outPackets)
    }

    /// What the balancer counted between two readings: its traffic, summed over the services
    /// (for IPVS the same kernel counters `/proc/net/ip_vs_stats` totals), and each real's
    /// counters. A service or real in only one reading was added or removed meanwhile: it
    /// is left out rather than counted from zero.
    static func window(before: [ServiceReading], after: [ServiceReading])
        -> (traffic: BalancerCounters, reals: [RealReading]) {
        var traffic = BalancerCounters.zero
        var reals: [RealReading] = []
        for service in after {
            guard let earlier = before.first(where: { $0.proto == service.proto && $0.service == service.service })
            else { continue }
            traffic = traffic + (service.counters - earlier.counters)
            for real in service.reals {
                guard let was = earlier.reals.first(where: { $0.address == real.address && $0.port == real.port })
                else { continue }
                var counted = real
                counted.counters = real.counters - was.counters
                reals.append(counted)
            }
        }
        return (traffic, reals)
    }

    /// New connections to the real at `real` (its address) over the window, summed over
    /// the lab's services (HTTP and TCP); saturating, so a garbled read cannot trap a run.
    static func connections(_ reals: [RealReading], real: String) -> Int {
        Int(clamping: reals.total(of: real).conns)
    }
}
