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

    public init(interval: Double = 0.5) { self.interval = interval }

    public func start(lab: any ExperimentLab) throws {
        let collector = try Collector(nodes: [lab.director], interval: interval)
        before = collector.sampleOnce(elapsed: 0)
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
        let wait = settleSeconds - Date().timeIntervalSince(windowEnd)
        if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        let after = collector.sampleOnce(elapsed: before.elapsed + Date().timeIntervalSince(before.time))
        let director = lab.director.name
        let counters = CollectionSummary(TimeSeries(interval: interval, samples: [before, after]), director: director)
        let cpu = CollectionSummary(window, director: director)
        guard counters.directorInPackets != nil else {
            let reason = counters.errors.first ?? "no reading of the director's IPVS counters"
            throw RuntimeFailure("director counters unavailable for the window: \(reason)")
        }
        let addresses = (lab as? EngineLab)?.realAddresses ?? []
        let conns = addresses.map { CollectorMeter.connections(counters.realConns, real: $0) }
        let lines = try window.samples.map { String(decoding: try JSONCoding.encodeLine($0), as: UTF8.self) }
        return WindowCounters(inPackets: Int(clamping: counters.directorInPackets ?? 0),
                              outPackets: Int(clamping: counters.directorOutPackets ?? 0),
                              inBytes: Int(clamping: counters.directorInBytes ?? 0),
                              outBytes: Int(clamping: counters.directorOutBytes ?? 0),
                              softirqPercent: cpu.directorSoftirqPercent ?? 0,
                              busyPercent: cpu.directorBusyPercent ?? 0,
                              realConnections: conns.isEmpty ? lab.reals.map { _ in 0 } : conns, samples: lines)
    }

    public func abandon() {
        if let collector, window == nil { _ = collector.stop() }
        collector = nil
    }

    /// New connections to `real` over the window, summed over the lab's services (HTTP and TCP).
    static func connections(_ realConns: [String: UInt64], real: String) -> Int {
        // Saturating: a garbled read must not trap a run (the parsers keep each value below 2^63).
        var total = 0
        for (key, n) in realConns where key.contains("-> \(real):") {
            let (sum, overflow) = total.addingReportingOverflow(Int(clamping: n))
            total = overflow ? Int.max : sum
        }
        return total
    }
}

extension JSONCoding {
    /// One compact, key-sorted JSON line (for JSON-lines files).
    static func encodeLine<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }
}
