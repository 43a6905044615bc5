import Collector
import Foundation
import LoadGen
import Results
import SystemKit
import Vocabulary

/// What the director did over one stretch of load: its CPU and the packets it received on
/// its data links (the management link, which carries the collector's own reads, excluded).
/// Measured the same way with and without IPVS, so the two costs per packet compare.
public struct DirectorReading: Codable, Equatable, Sendable {
    /// Percent of one director CPU not idle.
    public var busyPercent: Double
    /// Seconds between the first and last sample the figures span.
    public var seconds: Double
    /// Packets received on the data links over those seconds.
    public var packets: Int

    public init(busyPercent: Double, seconds: Double, packets: Int) {
        self.busyPercent = busyPercent
        self.seconds = seconds
        self.packets = packets
    }

    /// Links that carry no benchmark traffic: loopback and the UML guest's management link.
    static let ignoredLinks: Set<String> = ["lo", "vec0"]

    /// The reading of `director` over `series`, from its first to its last sample with CPU
    /// figures; nil with fewer than two such samples.
    static func from(_ series: TimeSeries, director: String) -> DirectorReading? {
        let readable = series.samples.compactMap { s in s.node(director).map { (s.elapsed, $0) } }
            .filter { $0.1.cpu != nil && !$0.1.interfaces.isEmpty }
        guard let first = readable.first, let last = readable.last, last.0 > first.0 else { return nil }
        let d = CounterRates.deltas(from: first.1, to: last.1)
        var packets: UInt64 = 0
        for (key, value) in d where key.hasPrefix("if.") && key.hasSuffix(".rxPackets") {
            let name = String(key.dropFirst(3).dropLast(".rxPackets".count))
            if !ignoredLinks.contains(name) { packets &+= value }
        }
        guard let total = d["cpu.total"], total > 0 else { return nil }
        let idle = (d["cpu.idle"] ?? 0) + (d["cpu.iowait"] ?? 0)
        let busy = Double(total - min(idle, total)) * 100 / Double(total)
        return DirectorReading(busyPercent: busy, seconds: last.0 - first.0, packets: Int(clamping: packets))
    }

    /// This reading and the load it carried, as the summary's arithmetic takes it.
    public func window(load: LoadReport) -> ForwardWindow {
        ForwardWindow(busyPercent: busyPercent, seconds: seconds, packets: packets,
                      connections: Int(clamping: load.connections_opened), rps: load.rps,
                      loadSeconds: load.duration_s)
    }
}

/// Measures the director without IPVS: while the load goes to real1's plain-forward
/// address, which the router sends through the director and no virtual service matches.
public protocol ReferenceMeter {
    func startReference(lab: any ExperimentLab) throws
    func stopReference() throws -> DirectorReading
}

/// The load of one plain-forward stretch and what the director did meanwhile.
public struct PlainForwardWindow: Codable, Equatable, Sendable {
    public var load: LoadReport
    public var director: DirectorReading

    public init(load: LoadReport, director: DirectorReading) {
        self.load = load
        self.director = director
    }

    public var window: ForwardWindow { director.window(load: load) }
}

extension RepeatMeasurement {
    /// The direct path's rate: the mean of the stretches before and after the measured window.
    public var directRPS: Double {
        guard let after = directAfter else { return direct.rps }
        return (direct.rps + after.rps) / 2
    }

    /// The IPVS window as a forward window (nil when the meter gave no reading).
    var ipvsWindow: ForwardWindow? { counters.director.map { $0.window(load: balanced) } }
}

extension ForwardCost {
    /// A cell's cost from its repeats (nil when no repeat has both sides).
    static func of(_ repeats: [RepeatMeasurement], perConnection: Bool) -> ForwardCost? {
        let pairs = repeats.compactMap { r -> (ipvs: ForwardWindow, plain: [ForwardWindow])? in
            guard let ipvs = r.ipvsWindow, let plain = r.plain, !plain.isEmpty else { return nil }
            return (ipvs, plain.map(\.window))
        }
        let bypass = repeats.compactMap(\.counters.ipvsPacketsDuringReference)
        return ForwardCost(pairs: pairs, perConnection: perConnection,
                           ipvsPacketsDuringPlain: bypass.isEmpty ? nil : bypass.reduce(0, +))
    }
}

extension SweepMeasurement {
    /// IPVS's own cost at this point (nil without a plain-forward reference or a reading).
    var forwardCost: ForwardCost? {
        guard let plain, let ipvs = counters.director else { return nil }
        return ForwardCost(pairs: [(ipvs: ipvs.window(load: load), plain: [plain.window])],
                           perConnection: load.connections_opened > load.requests / 2,
                           ipvsPacketsDuringPlain: nil)
    }
}
