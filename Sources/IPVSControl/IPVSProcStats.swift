import SystemKit

/// `/proc/net/ip_vs_stats`: the director's IPVS totals since IPVS was loaded, and the
/// kernel's own rate estimates (2-second EWMA). All numbers there are hexadecimal.
public struct IPVSProcStats: Codable, Equatable, Sendable {
    /// Totals since IPVS was loaded.
    public var totals: BalancerCounters
    /// The kernel's estimate per second (conns/s, packets/s, bytes/s).
    public var rates: BalancerCounters

    public static let source = "/proc/net/ip_vs_stats"

    public init(totals: BalancerCounters, rates: BalancerCounters) {
        self.totals = totals
        self.rates = rates
    }

    /// Expects two header lines, the totals, then two header lines... in practice: the
    /// first line of five hex numbers is the totals, the second the rates.
    public init(parsing text: String) throws {
        var rows: [BalancerCounters] = []
        for (number, line) in ProcText.lines(text) {
            let fields = ProcText.fields(line)
            guard let first = fields.first, first.allSatisfy(\.isHexDigit) else { continue }
            guard fields.count == 5 else {
                throw ProcParseError(Self.source, line: number, "expected 5 hexadecimal columns, found \(fields.count)")
            }
            let v = try fields.map { try ProcText.hex($0, Self.source, line: number) }
            if let huge = v.first(where: { $0 > BalancerCounters.maximum }) {
                throw ProcParseError(Self.source, line: number, "\(String(huge, radix: 16, uppercase: true)) is beyond any IPVS counter")
            }
            rows.append(BalancerCounters(conns: v[0], inPackets: v[1], outPackets: v[2], inBytes: v[3], outBytes: v[4]))
        }
        guard rows.count == 2 else {
            throw ProcParseError(Self.source, line: 0, "expected a totals row and a rates row, found \(rows.count) rows")
        }
        self.init(totals: rows[0], rates: rows[1])
    }
}
