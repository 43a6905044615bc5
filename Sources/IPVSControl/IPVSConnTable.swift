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
}
