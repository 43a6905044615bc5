import SystemKit

/// `/proc/net/ip_vs_conn`, reduced to what a time series needs: how many connection
/// entries are in each state, overall and per real server (an entry per connection would
/// be far too large to sample 10 times a second).
public struct IPVSConnTable: Codable, Equatable, Sendable {
    /// `ESTABLISHED`, `TIME_WAIT`, `SYN_RECV`, `CLOSE`, `FIN_WAIT`, `NONE` (UDP), ...
    public var byState: [String: Int]
    /// Entries per real (`198.18.1.2:80`), all states.
    public var byReal: [String: Int]
    public var total: Int { byState.values.reduce(0, +) }

    public static let source = "/proc/net/ip_vs_conn"

    public init(byState: [String: Int], byReal: [String: Int]) {
        self.byState = byState
        self.byReal = byReal
    }

    public init(parsing text: String) throws {
        let lines = ProcText.lines(text)
        guard let header = lines.first, header.text.hasPrefix("Pro ") else {
            throw ProcParseError(Self.source, line: 1, "missing the 'Pro FromIP ...' header")
        }
        var byState: [String: Int] = [:], byReal: [String: Int] = [:]
        for (number, line) in lines.dropFirst() {
            let f = ProcText.fields(line)
            // Pro FromIP FPrt ToIP TPrt DestIP DPrt State Expires [PEName PEData]
            guard f.count >= 9, Int(f[8]) != nil, f[7].allSatisfy({ $0.isUppercase || $0 == "_" }) else {
                throw ProcParseError(Self.source, line: number, "expected 9 or more columns ending in STATE EXPIRES")
            }
            guard f[6].count == 4, let port = UInt16(f[6], radix: 16) else {
                throw ProcParseError(Self.source, line: number, "'\(f[6])' is not a hexadecimal port")
            }
            let dest = f[5].count == 8
                ? try IPv4Hex.dotted(f[5], source: Self.source, line: number) : "[\(f[5])]"
            byState[String(f[7]), default: 0] += 1
            byReal["\(dest):\(port)", default: 0] += 1
        }
        self.init(byState: byState, byReal: byReal)
    }

    /// Counts the entries where the table lives, so that a sample carries a few lines
    /// rather than the whole table (a busy director holds a hundred thousand entries in
    /// TIME_WAIT, ~100 bytes each). Constant text: safe to pass to `sh -c` or `awk`.
    public static let summaryAWK = """
        NR > 1 && NF >= 9 { s[$8]++; r[$6 " " $7]++ } \
        END { print "entries", (NR > 0 ? NR - 1 : 0); for (k in s) print "state", k, s[k]; for (k in r) print "real", k, r[k] }
        """

    /// Parses the output of `awk summaryAWK /proc/net/ip_vs_conn`: `entries N`, then
    /// `state NAME COUNT` and `real HEXADDR HEXPORT COUNT` lines. The entry count must
    /// equal the states' sum, which catches a cut output.
    public init(parsingSummary text: String) throws {
        let source = "/proc/net/ip_vs_conn (summary)"
        var entries: Int?
        var byState: [String: Int] = [:], byReal: [String: Int] = [:]
        for (number, line) in ProcText.lines(text) {
            let f = ProcText.fields(line)
            guard let last = f.last, let count = Int(last), count >= 0 else {
                throw ProcParseError(source, line: number, "expected a count at the end of '\(line)'")
            }
            switch (f.first, f.count) {
            case ("entries", 2): entries = count
            case ("state", 3): byState[String(f[1])] = count
            case ("real", 4):
                guard f[2].count == 4, let port = UInt16(f[2], radix: 16) else {
                    throw ProcParseError(source, line: number, "'\(f[2])' is not a hexadecimal port")
                }
                let dest = f[1].count == 8 ? try IPv4Hex.dotted(f[1], source: source, line: number) : "[\(f[1])]"
                byReal["\(dest):\(port)"] = count
            default:
                throw ProcParseError(source, line: number, "unexpected line '\(line)'")
            }
        }
        guard let entries else { throw ProcParseError(source, line: 0, "no 'entries N' line") }
        // Sums that overflow are garbled counts, not a table of 2^63 entries.
        func sum(_ counts: Dictionary<String, Int>.Values) -> Int? {
            var total = 0
            for c in counts {
                let (s, overflow) = total.addingReportingOverflow(c)
                if overflow { return nil }
                total = s
            }
            return total
        }
        guard let counted = sum(byState.values), let perReal = sum(byReal.values) else {
            throw ProcParseError(source, line: 0, "the counts add up beyond any table size")
        }
        guard counted == entries, perReal == entries else {
            throw ProcParseError(source, line: 0, "\(entries) entries but \(counted) counted by state: output cut short")
        }
        self.init(byState: byState, byReal: byReal)
    }

    /// One entry's client and real: which client ports the table already ties to which real
    /// (a reused client port may follow its entry instead of being scheduled).
    public struct Entry: Equatable, Sendable {
        /// `198.18.0.2`
        public var client: String
        public var clientPort: UInt16
        /// `198.18.2.12`
        public var real: String

        public init(client: String, clientPort: UInt16, real: String) {
            self.client = client
            self.clientPort = clientPort
            self.real = real
        }
    }

    /// The IPv4 entries of a full `/proc/net/ip_vs_conn`, one per line.
    public static func entries(parsing text: String) throws -> [Entry] {
        let lines = ProcText.lines(text)
        guard let header = lines.first, header.text.hasPrefix("Pro ") else {
            throw ProcParseError(source, line: 1, "missing the 'Pro FromIP ...' header")
        }
        return try lines.dropFirst().compactMap { number, line in
            let f = ProcText.fields(line)
            guard f.count >= 9 else { throw ProcParseError(source, line: number, "expected 9 or more columns") }
            guard f[1].count == 8, f[5].count == 8 else { return nil }
            guard let port = UInt16(f[2], radix: 16) else {
                throw ProcParseError(source, line: number, "'\(f[2])' is not a hexadecimal port")
            }
            return Entry(client: try IPv4Hex.dotted(f[1], source: source, line: number), clientPort: port,
                         real: try IPv4Hex.dotted(f[5], source: source, line: number))
        }
    }
}
