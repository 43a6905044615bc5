import Foundation

/// A director's capacity at saturation and how many capped reals it can serve, computed with
/// the same arithmetic as the original LVS paper (see `LVSPaper2000`):
/// capacity = average packet size / time per packet; reals = capacity / per-real rate.
public struct DirectorCapacity: Codable, Equatable, Sendable {
    /// Director packets per second at saturation, both directions.
    public var packetsPerSecond: Double
    /// Director bytes per second at saturation, both directions.
    public var bytesPerSecond: Double
    /// Client-side throughput at saturation (response payload), bytes per second.
    public var servedBytesPerSecond: Double
    public var connectionsPerSecond: Double
    public var requestsPerSecond: Double
    /// Director CPU busy at saturation, percent of one CPU.
    public var cpuPct: Double
    /// Average size of a packet through the director, bytes.
    public var averagePacketBytes: Double
    /// CPU time per forwarded packet, microseconds: busy fraction / packets per second.
    /// The paper's "delay of rewriting a packet" measured the same way.
    public var microsecondsPerPacket: Double
    /// The per-real rate the reals were capped at, bytes per second on the real's link
    /// (headers included; nil: capped by rps).
    public var perRealBytesPerSecond: Double?
    /// What one capped real delivers to the client, payload bytes per second, measured at
    /// the sweep's smallest point. The cap counts headers and the client counts payload, so
    /// dividing by the cap would undercount the reals; this keeps both sides in one unit.
    public var perRealServedBytesPerSecond: Double?
    /// Reals the director can serve at that rate: served throughput / one real's served rate.
    public var realsAtPerRealRate: Double?
    /// IPVS's own CPU per packet at saturation (the median saturated point, `costPoint`):
    /// director µs per packet with IPVS minus the same director plain-forwarding (nil
    /// without a plain-forward reference).
    public var ipvsMicrosecondsPerPacket: Double?
    /// Reals a director would serve if each packet cost it only IPVS's marginal cost, at
    /// 100% of one CPU: what IPVS alone allows, the emulator's own cost taken out. Nil
    /// without a reference, or when the marginal cost is not above zero (within the noise).
    public var realsIPVSAlone: Double?

    public init(packetsPerSecond: Double, bytesPerSecond: Double, servedBytesPerSecond: Double,
                connectionsPerSecond: Double, requestsPerSecond: Double, cpuPct: Double,
                perRealBytesPerSecond: Double?, perRealServedBytesPerSecond: Double?,
                forwardCost: ForwardCost? = nil) {
        self.packetsPerSecond = packetsPerSecond
        self.bytesPerSecond = bytesPerSecond
        self.servedBytesPerSecond = servedBytesPerSecond
        self.connectionsPerSecond = connectionsPerSecond
        self.requestsPerSecond = requestsPerSecond
        self.cpuPct = cpuPct
        self.averagePacketBytes = packetsPerSecond > 0 ? bytesPerSecond / packetsPerSecond : 0
        let busy = Swift.min(Swift.max(cpuPct, 0), 100) / 100
        self.microsecondsPerPacket = packetsPerSecond > 0 ? busy * 1_000_000 / packetsPerSecond : 0
        self.perRealBytesPerSecond = perRealBytesPerSecond
        self.perRealServedBytesPerSecond = perRealServedBytesPerSecond
        if perRealBytesPerSecond != nil, let rate = perRealServedBytesPerSecond, rate > 0 {
            self.realsAtPerRealRate = servedBytesPerSecond / rate
        } else {
            self.realsAtPerRealRate = nil
        }
        self.ipvsMicrosecondsPerPacket = forwardCost?.ipvsUsPerPacket
        self.realsIPVSAlone = nil
        if let f = forwardCost, let perReal = perRealServedBytesPerSecond, perReal > 0, perRealBytesPerSecond != nil {
            self.realsIPVSAlone = Self.realsIPVSAlone(servedBytesPerSecond: servedBytesPerSecond, cpuPct: cpuPct,
                                                      cost: f, perRealServedBytesPerSecond: perReal)
        }
    }

    /// Served bytes per second of director CPU, scaled from the measured cost per packet
    /// (with IPVS) to IPVS's marginal cost alone, divided by one real's served rate:
    /// served ÷ busy fraction × (µs/packet with IPVS ÷ IPVS's µs/packet) ÷ per-real rate.
    public static func realsIPVSAlone(servedBytesPerSecond: Double, cpuPct: Double, cost: ForwardCost,
                                      perRealServedBytesPerSecond: Double) -> Double? {
        let busy = Swift.min(Swift.max(cpuPct, 0), 100) / 100
        guard busy > 0, cost.ipvsUsPerPacket > 0, cost.usPerPacketIPVS > 0, perRealServedBytesPerSecond > 0 else {
            return nil
        }
        return servedBytesPerSecond / busy * (cost.usPerPacketIPVS / cost.ipvsUsPerPacket) / perRealServedBytesPerSecond
    }

    /// The capacity at the sweep's best point at or beyond the knee (the saturated region).
    public static func measured(points: [SweepPoint], kneeReals: Int,
                                perRealBytesPerSecond: Double?) -> DirectorCapacity? {
        guard let best = points.filter({ $0.reals >= kneeReals }).max(by: { $0.rps < $1.rps }) else { return nil }
        let smallest = points.min { $0.reals < $1.reals }
        let perRealServed = smallest.map { $0.bytesPerSecond / Double(Swift.max($0.reals, 1)) }
        return DirectorCapacity(packetsPerSecond: best.directorPPS, bytesPerSecond: best.directorBytesPerSecond,
                                servedBytesPerSecond: best.bytesPerSecond, connectionsPerSecond: best.cps,
                                requestsPerSecond: best.rps, cpuPct: best.directorCPUPct,
                                perRealBytesPerSecond: perRealBytesPerSecond,
                                perRealServedBytesPerSecond: perRealServed,
                                forwardCost: costPoint(points: points, kneeReals: kneeReals)?.plainForward)
    }

    /// Director CPU from which a point counts as saturated.
    public static let saturatedCPUPct = 85.0

    /// The saturated point (at or beyond the knee) whose IPVS cost per packet is the median
    /// of those points: one window's cost is noisy on a shared machine, and below the knee the
    /// IPVS side runs at low load, where the difference is not IPVS's cost. The plain side must
    /// have saturated the director too: an emulated director's cost per packet depends on its
    /// load, and in DR and TUN keep-alive one uncapped real (the replies bypass the director)
    /// kept it at 27–75% on a quiet machine while the IPVS side ran at 85–96%.
    public static func costPoint(points: [SweepPoint], kneeReals: Int) -> SweepPoint? {
        let saturated = points.filter {
            $0.reals >= kneeReals && ($0.plainForward?.plainCPUPct ?? 0) >= saturatedCPUPct
        }
            .sorted { $0.plainForward!.ipvsUsPerPacket < $1.plainForward!.ipvsUsPerPacket }
        return saturated.isEmpty ? nil : saturated[(saturated.count - 1) / 2]
    }

    enum CodingKeys: String, CodingKey {
        case packetsPerSecond = "packets_per_s", bytesPerSecond = "bytes_per_s"
        case servedBytesPerSecond = "served_bytes_per_s", connectionsPerSecond = "conns_per_s"
        case requestsPerSecond = "requests_per_s", cpuPct = "cpu_pct", averagePacketBytes = "avg_packet_bytes"
        case microsecondsPerPacket = "us_per_packet", perRealBytesPerSecond = "per_real_bytes_per_s"
        case perRealServedBytesPerSecond = "per_real_served_bytes_per_s"
        case realsAtPerRealRate = "reals_at_per_real_rate", ipvsMicrosecondsPerPacket = "ipvs_us_per_packet"
        case realsIPVSAlone = "reals_ipvs_alone"
    }
}
