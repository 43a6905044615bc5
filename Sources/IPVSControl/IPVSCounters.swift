/// IPVS's cumulative counters of a service, a real server or the whole director, as
/// `ipvsadm -Ln --stats --exact`, `/proc/net/ip_vs_stats` and the IPVS netlink family give
/// them (Conns, InPkts, OutPkts, InBytes, OutBytes); also used for their per-second rates.
public struct IPVSCounters: Codable, Equatable, Sendable {
    public var conns: UInt64
    public var inPackets: UInt64
    public var outPackets: UInt64
    public var inBytes: UInt64
    public var outBytes: UInt64

    public init(conns: UInt64, inPackets: UInt64, outPackets: UInt64, inBytes: UInt64, outBytes: UInt64) {
        self.conns = conns
        self.inPackets = inPackets
        self.outPackets = outPackets
        self.inBytes = inBytes
        self.outBytes = outBytes
    }

    /// The largest value a counter read from the kernel may hold. IPVS counters are 64-bit,
    /// but none reaches 2^63 (23 years of 100 Gbit/s in bytes): a larger one is a garbled
    /// read, and refusing it keeps every difference and conversion to Int exact.
    public static let maximum = UInt64(Int64.max)
}
