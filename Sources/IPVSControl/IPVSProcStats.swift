import SystemKit

/// `/proc/net/ip_vs_stats`: the director's IPVS totals since IPVS was loaded, and the
/// kernel's own rate estimates (2-second EWMA). All numbers there are hexadecimal.
public struct IPVSProcStats: Codable, Equatable, Sendable {
    public struct Counters: Codable, Equatable, Sendable {
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
    }

    /// Totals since IPVS was loaded.
    public var totals: Counters
    /// The kernel's estimate per second (conns/s, packets/s, bytes/s).
    public var rates: Counters

    public static let source = "/proc/net/ip_vs_stats"

    public init(totals: Counters, rates: Counters) {
        self.totals = totals
        self.rates = rates
    }

    /// Expects two header lines, the totals, then two header lines... in practice: the
    /// first line of five hex numbers is the totals, the second the rates.
    public init(parsing text: String) throws {
        var rows: [Counters] = []
        for (number, line) in ProcText.lines(text) {
            let fields = ProcText.fields(line)
            guard let first = fields.first, first.allSatisfy(\.isHexDigit) else { continue }
            guard fields.count == 5 else {
                throw ProcParseError(Self.source, line: number, "expected 5 hexadecimal columns, found \(fields.count)")
            }
            let v = try fields.map { try ProcText.hex($0, Self.source, line: number) }
            rows.append(Counters(conns: v[0], inPackets: v[1], outPackets: v[2], inBytes: v[3], outBytes: v[4]))
        }
        guard rows.count == 2 else {
            throw ProcParseError(Self.source, line: 0, "expected a totals row and a rates row, found \(rows.count) rows")
        }
        self.init(totals: rows[0], rates: rows[1])
    }
}
