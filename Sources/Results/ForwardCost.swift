import Foundation

/// The same director measured twice under the same load: once balancing through IPVS, once
/// plain-forwarding (IP routing, no virtual service matches) from the client to one real.
/// The difference of the two CPU costs is what IPVS itself costs, separated from what the
/// director (here, mostly its emulator) costs to move a packet at all.
///
/// Packets are counted the same way on both sides: packets the director received on its
/// data links (`/proc/net/dev`, management link excluded), over the span its CPU figure
/// covers. In NAT the replies cross the director in both measurements; in DR and TUN only
/// the requests do (the plain path does not encapsulate, so TUN's encapsulation is part of
/// IPVS's cost here).
public struct ForwardCost: Codable, Equatable, Sendable {
    /// Requests per second of the plain-forward reference (median over repeats).
    public var plainRPS: Double
    /// rps through IPVS ÷ rps of the plain-forward reference, per repeat, median.
    public var ipvsToPlainRatio: Double
    /// Director CPU per packet while balancing through IPVS, microseconds.
    public var usPerPacketIPVS: Double
    /// Director CPU per packet while plain-forwarding, microseconds.
    public var usPerPacketPlain: Double
    /// Director CPU per new connection through IPVS, microseconds (loads that open a
    /// connection per request only; nil for keep-alive, where connections are few).
    public var usPerConnIPVS: Double?
    /// Director CPU per new connection while plain-forwarding, microseconds.
    public var usPerConnPlain: Double?
    /// Director CPU busy while plain-forwarding, percent of one CPU.
    public var plainCPUPct: Double
    /// IPVS packets (in + out) counted while the plain-forward traffic ran, read once the
    /// kernel had folded its counters: 0 proves the reference bypassed IPVS. Nil when the
    /// counters could not be read.
    public var ipvsPacketsDuringPlain: Int?

    public init(plainRPS: Double, ipvsToPlainRatio: Double, usPerPacketIPVS: Double, usPerPacketPlain: Double,
                usPerConnIPVS: Double?, usPerConnPlain: Double?, plainCPUPct: Double, ipvsPacketsDuringPlain: Int?) {
        self.plainRPS = plainRPS
        self.ipvsToPlainRatio = ipvsToPlainRatio
        self.usPerPacketIPVS = usPerPacketIPVS
        self.usPerPacketPlain = usPerPacketPlain
        self.usPerConnIPVS = usPerConnIPVS
        self.usPerConnPlain = usPerConnPlain
        self.plainCPUPct = plainCPUPct
        self.ipvsPacketsDuringPlain = ipvsPacketsDuringPlain
    }

    /// IPVS's own cost per packet: with IPVS minus without, microseconds.
    public var ipvsUsPerPacket: Double { usPerPacketIPVS - usPerPacketPlain }

    /// IPVS's own cost per new connection, microseconds (nil for keep-alive loads).
    public var ipvsUsPerConn: Double? {
        guard let a = usPerConnIPVS, let b = usPerConnPlain else { return nil }
        return a - b
    }

    /// CPU microseconds per unit: `busyPercent` of one CPU over `seconds`, spent on `count`
    /// packets (or connections). Zero when nothing was counted.
    public static func microseconds(busyPercent: Double, seconds: Double, count: Double) -> Double {
        guard count > 0, seconds > 0 else { return 0 }
        return Swift.min(Swift.max(busyPercent, 0), 100) / 100 * seconds * 1_000_000 / count
    }

    enum CodingKeys: String, CodingKey {
        case plainRPS = "plain_rps", ipvsToPlainRatio = "ipvs_to_plain_ratio"
        case usPerPacketIPVS = "us_per_packet_ipvs", usPerPacketPlain = "us_per_packet_plain"
        case ipvsUsPerPacket = "ipvs_us_per_packet", usPerConnIPVS = "us_per_conn_ipvs"
        case usPerConnPlain = "us_per_conn_plain", ipvsUsPerConn = "ipvs_us_per_conn"
        case plainCPUPct = "plain_cpu_pct", ipvsPacketsDuringPlain = "ipvs_packets_during_plain"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(plainRPS: try c.decode(Double.self, forKey: .plainRPS),
                  ipvsToPlainRatio: try c.decode(Double.self, forKey: .ipvsToPlainRatio),
                  usPerPacketIPVS: try c.decode(Double.self, forKey: .usPerPacketIPVS),
                  usPerPacketPlain: try c.decode(Double.self, forKey: .usPerPacketPlain),
                  usPerConnIPVS: try c.decodeIfPresent(Double.self, forKey: .usPerConnIPVS),
                  usPerConnPlain: try c.decodeIfPresent(Double.self, forKey: .usPerConnPlain),
                  plainCPUPct: try c.decode(Double.self, forKey: .plainCPUPct),
                  ipvsPacketsDuringPlain: try c.decodeIfPresent(Int.self, forKey: .ipvsPacketsDuringPlain))
    }

    /// Writes the derived differences too, so a reader of summary.json needs no arithmetic.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(plainRPS, forKey: .plainRPS)
        try c.encode(ipvsToPlainRatio, forKey: .ipvsToPlainRatio)
        try c.encode(usPerPacketIPVS, forKey: .usPerPacketIPVS)
        try c.encode(usPerPacketPlain, forKey: .usPerPacketPlain)
        try c.encode(ipvsUsPerPacket, forKey: .ipvsUsPerPacket)
        try c.encodeIfPresent(usPerConnIPVS, forKey: .usPerConnIPVS)
        try c.encodeIfPresent(usPerConnPlain, forKey: .usPerConnPlain)
        try c.encodeIfPresent(ipvsUsPerConn, forKey: .ipvsUsPerConn)
        try c.encode(plainCPUPct, forKey: .plainCPUPct)
        try c.encodeIfPresent(ipvsPacketsDuringPlain, forKey: .ipvsPacketsDuringPlain)
    }
}

/// One measured stretch of the director, with or without IPVS: its CPU, the packets it
/// received on its data links, and (while plain-forwarding) what IPVS counted meanwhile.
public struct ForwardWindow: Codable, Equatable, Sendable {
    /// Percent of one director CPU not idle over `seconds`.
    public var busyPercent: Double
    /// Seconds between the first and last sample the CPU figure spans.
    public var seconds: Double
    /// Packets received on the director's data links over those seconds.
    public var packets: Int
    /// New connections the load opened over the stretch.
    public var connections: Int
    /// Requests per second of the load.
    public var rps: Double
    /// Seconds of load (for connections per second).
    public var loadSeconds: Double

    public init(busyPercent: Double, seconds: Double, packets: Int, connections: Int, rps: Double,
                loadSeconds: Double) {
        self.busyPercent = busyPercent
        self.seconds = seconds
        self.packets = packets
        self.connections = connections
        self.rps = rps
        self.loadSeconds = loadSeconds
    }

    public var cpuSeconds: Double { Swift.min(Swift.max(busyPercent, 0), 100) / 100 * seconds }

    /// The stretches of one side pooled: CPU time and packets add, so a short stretch weighs less.
    public static func pooled(_ windows: [ForwardWindow]) -> ForwardWindow? {
        guard !windows.isEmpty else { return nil }
        let seconds = windows.map(\.seconds).reduce(0, +)
        let loadSeconds = windows.map(\.loadSeconds).reduce(0, +)
        let busy = seconds > 0 ? windows.map(\.cpuSeconds).reduce(0, +) / seconds * 100 : 0
        let rps = loadSeconds > 0 ? windows.map { $0.rps * $0.loadSeconds }.reduce(0, +) / loadSeconds
            : windows.map(\.rps).reduce(0, +) / Double(windows.count)
        return ForwardWindow(busyPercent: busy, seconds: seconds, packets: windows.map(\.packets).reduce(0, +),
                             connections: windows.map(\.connections).reduce(0, +), rps: rps, loadSeconds: loadSeconds)
    }

    public var usPerPacket: Double {
        ForwardCost.microseconds(busyPercent: busyPercent, seconds: seconds, count: Double(packets))
    }

    /// CPU per new connection: busy fraction ÷ connections per second of the load.
    public var usPerConnection: Double {
        guard loadSeconds > 0 else { return 0 }
        let cps = Double(connections) / loadSeconds
        return ForwardCost.microseconds(busyPercent: busyPercent, seconds: 1, count: cps)
    }
}

extension ForwardCost {
    /// The cost from paired measurements: per repeat, the IPVS stretch and the plain-forward
    /// stretches around it; medians over repeats. Per-connection figures only when
    /// `perConnection` (a load that opens a connection per request).
    public init?(pairs: [(ipvs: ForwardWindow, plain: [ForwardWindow])], perConnection: Bool,
                 ipvsPacketsDuringPlain: Int?) {
        let usable = pairs.compactMap { p -> (ForwardWindow, ForwardWindow)? in
            guard let plain = ForwardWindow.pooled(p.plain), plain.packets > 0, p.ipvs.packets > 0 else { return nil }
            return (p.ipvs, plain)
        }
        guard !usable.isEmpty else { return nil }
        let median = { (xs: [Double]) in Spread(xs).median }
        self.init(plainRPS: median(usable.map(\.1.rps)),
                  ipvsToPlainRatio: median(usable.map { $0.1.rps > 0 ? $0.0.rps / $0.1.rps : 0 }),
                  usPerPacketIPVS: median(usable.map(\.0.usPerPacket)),
                  usPerPacketPlain: median(usable.map(\.1.usPerPacket)),
                  usPerConnIPVS: perConnection ? median(usable.map(\.0.usPerConnection)) : nil,
                  usPerConnPlain: perConnection ? median(usable.map(\.1.usPerConnection)) : nil,
                  plainCPUPct: median(usable.map(\.1.busyPercent)), ipvsPacketsDuringPlain: ipvsPacketsDuringPlain)
    }
}
