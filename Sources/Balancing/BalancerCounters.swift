/// The director's cumulative traffic counters of a virtual service, a real server or the
/// whole balancer: connections, and packets and bytes each way ("in" is client to real,
/// "out" real to client). One type for every reading of them, from the kernel's files to
/// the summary, so a window's counters are a subtraction and its rates a division.
public struct BalancerCounters: Codable, Equatable, Hashable, Sendable {
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

    public static let zero = BalancerCounters(conns: 0, inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0)

    /// The largest value a counter read from the kernel may hold. The counters are 64-bit,
    /// but none reaches 2^63 (23 years of 100 Gbit/s in bytes): a larger one is a garbled
    /// read, and refusing it keeps every difference and conversion to Int exact.
    public static let maximum = UInt64(Int64.max)

    /// Each counter by the name the collector's flattened keys and the JSON use.
    public var named: [(name: String, value: UInt64)] {
        [("conns", conns), ("inPackets", inPackets), ("outPackets", outPackets), ("inBytes", inBytes), ("outBytes", outBytes)]
    }

    /// The increase of one counter from `previous` to `current`. A counter that went down
    /// either wrapped (a 32-bit counter near its top: the kernel still has a few) or was
    /// reset (module reloaded, interface recreated): then it counted up from zero.
    public static func increase(from previous: UInt64, to current: UInt64) -> UInt64 {
        if current >= previous { return current - previous }
        if previous <= UInt64(UInt32.max) && previous > UInt64(UInt32.max / 2) {
            return (UInt64(UInt32.max) - previous) + current + 1
        }
        return current
    }

    /// What was counted between reading `before` and reading `after`, each counter by
    /// `increase(from:to:)`, so a wrap or a reset never yields a negative or huge figure.
    public static func - (after: BalancerCounters, before: BalancerCounters) -> BalancerCounters {
        BalancerCounters(conns: increase(from: before.conns, to: after.conns),
                         inPackets: increase(from: before.inPackets, to: after.inPackets),
                         outPackets: increase(from: before.outPackets, to: after.outPackets),
                         inBytes: increase(from: before.inBytes, to: after.inBytes),
                         outBytes: increase(from: before.outBytes, to: after.outBytes))
    }

    /// The sum of two windows' counts, saturating: a garbled read must not trap a run.
    public static func + (a: BalancerCounters, b: BalancerCounters) -> BalancerCounters {
        func add(_ x: UInt64, _ y: UInt64) -> UInt64 {
            let (sum, overflow) = x.addingReportingOverflow(y)
            return overflow ? .max : sum
        }
        return BalancerCounters(conns: add(a.conns, b.conns), inPackets: add(a.inPackets, b.inPackets),
                                outPackets: add(a.outPackets, b.outPackets), inBytes: add(a.inBytes, b.inBytes),
                                outBytes: add(a.outBytes, b.outBytes))
    }

    /// Per-second rates of counts taken over `seconds`; all zero for an empty interval.
    public func rate(over seconds: Double) -> Rates {
        guard seconds > 0 else { return Rates(conns: 0, inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0) }
        return Rates(conns: Double(conns) / seconds, inPackets: Double(inPackets) / seconds,
                     outPackets: Double(outPackets) / seconds, inBytes: Double(inBytes) / seconds,
                     outBytes: Double(outBytes) / seconds)
    }

    /// Counters per second.
    public struct Rates: Codable, Equatable, Sendable {
        public var conns: Double
        public var inPackets: Double
        public var outPackets: Double
        public var inBytes: Double
        public var outBytes: Double

        public init(conns: Double, inPackets: Double, outPackets: Double, inBytes: Double, outBytes: Double) {
            self.conns = conns
            self.inPackets = inPackets
            self.outPackets = outPackets
            self.inBytes = inBytes
            self.outBytes = outBytes
        }
    }
}
