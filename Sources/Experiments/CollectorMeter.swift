import Collector
import Foundation
import IPVSControl
import Lab
import SystemKit

/// The collector as the runner's window meter. Only the director is sampled: each sample
/// of a UML director is a round trip through its agent, and the reals' figures come from
/// the load generator. IPVS counters come from one reading before the window and one
/// `settleSeconds` after it (see `WindowMeter`); CPU from the samples taken during it.
public final class CollectorMeter: WindowMeter {
    public let interval: Double
    /// The IPVS estimator's 2-second tick plus a margin for a busy guest.
    public let settleSeconds = 2.3
    private var collector: Collector?
    private var lab: (any ExperimentLab)?
    private var before: Sample?
    private var window: TimeSeries?
    private var windowEnd = Date()
    private var referenceCollector: Collector?
    /// The first sample of the last plain-forward stretch: its IPVS totals, compared with
    /// the next window's first reading, show whether the stretch touched IPVS.
    private var referenceStart: Sample?
    private var bypass: Int?

    public init(interval: Double = 0.5) { self.interval = interval }

    public func start(lab: any ExperimentLab) throws {
        let collector = try Collector(nodes: [lab.director], interval: interval)
        let first = collector.sampleOnce(elapsed: 0)
        before = first
        bypass = Self.ipvsPackets(first, director: lab.director.name).flatMap { now in
            referenceStart.flatMap { Self.ipvsPackets($0, director: lab.director.name) }.map { now &- $0 }
        }
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
        guard let collector, let lab, let before, let window else {
            throw RuntimeFailure("collector stopped before its window was measured")
        }
        self.collector = nil
        // A stretch after the window is not followed by a settled reading before the next
        // window's warm-up: it proves nothing about IPVS, so it is forgotten.
        let bypass = self.bypass
        self.bypass = nil
        referenceStart = nil
        let wait = settleSeconds - Date().timeIntervalSince(windowEnd)
        if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        let after = collector.sampleOnce(elapsed: before.elapsed + Date().timeIntervalSince(before.time))
        let director = lab.director.name
        let counters = CollectionSummary(TimeSeries(interval: interval, samples: [before, after]), director: director)
        let cpu = CollectionSummary(window, director: director)
        guard let traffic = counters.director else {
            let reason = counters.errors.first ?? "no reading of the director's IPVS counters"
            throw RuntimeFailure("director counters unavailable for the window: \(reason)")
        }
        let addresses = lab.realAddresses
        let conns = addresses.map { CollectorMeter.connections(counters.reals, real: $0) }
        return WindowCounters(traffic: traffic,
                              softirqPercent: cpu.directorSoftirqPercent ?? 0,
                              busyPercent: cpu.directorBusyPercent ?? 0,
                              realConnections: conns.isEmpty ? lab.reals.map { _ in 0 } : conns, samples: window.samples,
                              director: DirectorReading.from(window, director: director),
                              ipvsPacketsDuringReference: bypass)
    }

    public func startReference(lab: any ExperimentLab) throws {
        // Sampled exactly as the measured window is, so both sides pay the same sampling cost.
        let collector = try Collector(nodes: [lab.director], interval: interval)
        collector.start()
        referenceCollector = collector
        self.lab = lab
    }

    public func stopReference() throws -> DirectorReading {
        guard let collector = referenceCollector, let lab else {
            throw RuntimeFailure("plain-forward reference stopped before it was started")
        }
        referenceCollector = nil
        let series = collector.stop()
        referenceStart = series.samples.first
        guard let reading = DirectorReading.from(series, director: lab.director.name) else {
            let reason = CollectionSummary(series, director: lab.director.name).errors.first ?? "fewer than two readings"
            throw RuntimeFailure("director CPU unavailable for the plain-forward reference: \(reason)")
        }
        return reading
    }

    /// IPVS packets in and out so far, from one sample of the director.
    static func ipvsPackets(_ sample: Sample, director: String) -> Int? {
        guard let t = sample.node(director)?.ipvs?.stats.totals else { return nil }
        return Int(clamping: t.inPackets &+ t.outPackets)
    }

    public func abandon() {
        if let collector, window == nil { _ = collector.stop() }
        collector = nil
        if let referenceCollector { _ = referenceCollector.stop() }
        referenceCollector = nil
        referenceStart = nil
    }

    /// New connections to the real at `real` (its address) over the window, summed over
    /// the lab's services (HTTP and TCP); saturating, so a garbled read cannot trap a run.
    static func connections(_ reals: [RealReading], real: String) -> Int {
        Int(clamping: reals.total(of: real).conns)
    }
}
