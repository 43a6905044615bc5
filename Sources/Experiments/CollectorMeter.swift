import Collector
import Foundation
import IPVSControl
import Lab
import SystemKit

/// The collector as the runner's window meter: samples the director (IPVS totals, per-real
/// counters from `ipvsadm -Ln --stats --exact`, CPU) twice a second during a window and
/// reduces the series to the window's deltas. Only the director is sampled: each sample of
/// a UML director is a round trip through its agent, and the reals' figures come from the
/// load generator.
public final class CollectorMeter: WindowMeter {
    public let interval: Double
    private var collector: Collector?
    private var lab: (any ExperimentLab)?

    public init(interval: Double = 0.5) { self.interval = interval }

    public func start(lab: any ExperimentLab) throws {
        let collector = try Collector(nodes: [lab.director], interval: interval,
                                      realCounters: CollectorMeter.realCounters)
        collector.start()
        self.collector = collector
        self.lab = lab
    }

    public func stop() throws -> WindowCounters {
        guard let collector, let lab else { throw RuntimeFailure("collector stopped before it was started") }
        self.collector = nil
        let series = collector.stop()
        let summary = CollectionSummary(series, director: lab.director.name)
        guard summary.directorInPackets != nil else {
            let reason = summary.errors.first ?? "no sample of the director could be read"
            throw RuntimeFailure("director counters unavailable for the window: \(reason)")
        }
        let addresses = (lab as? EngineLab)?.realAddresses ?? []
        let conns = addresses.map { CollectorMeter.connections(summary.realConns, real: $0) }
        let lines = try series.samples.map { String(decoding: try JSONCoding.encodeLine($0), as: UTF8.self) }
        return WindowCounters(inPackets: Int(summary.directorInPackets ?? 0),
                              outPackets: Int(summary.directorOutPackets ?? 0),
                              inBytes: Int(summary.directorInBytes ?? 0), outBytes: Int(summary.directorOutBytes ?? 0),
                              softirqPercent: summary.directorSoftirqPercent ?? 0,
                              busyPercent: summary.directorBusyPercent ?? 0,
                              realConnections: conns.isEmpty ? lab.reals.map { _ in 0 } : conns, samples: lines)
    }

    public func abandon() {
        if let collector { _ = collector.stop() }
        collector = nil
    }

    /// New connections to `real` over the window, summed over the lab's services (HTTP and TCP).
    static func connections(_ realConns: [String: UInt64], real: String) -> Int {
        Int(realConns.filter { $0.key.contains("-> \(real):") }.values.reduce(0, +))
    }

    /// Keys `TCP <vip>:<port> -> <real>:<port>`, the collector's convention for per-real counters.
    static let realCounters: RealCountersParser = { text in
        var result: [String: RealCounters] = [:]
        for service in try IPVSStatsListing.parse(text).services {
            for real in service.reals {
                let key = "\(service.proto) \(service.service.address):\(service.service.port) -> \(real.address):\(real.port)"
                let c = real.counters
                result[key] = RealCounters(conns: c.connections, inPackets: c.inPackets, outPackets: c.outPackets,
                                           inBytes: c.inBytes, outBytes: c.outBytes)
            }
        }
        return result
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
