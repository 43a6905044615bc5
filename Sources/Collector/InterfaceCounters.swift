import SystemKit

/// One interface's line of `/proc/net/dev`: the receive and transmit counters.
public struct InterfaceCounters: Codable, Equatable, Sendable {
    public var rxBytes: UInt64
    public var rxPackets: UInt64
    public var rxErrors: UInt64
    public var rxDropped: UInt64
    public var txBytes: UInt64
    public var txPackets: UInt64
    public var txErrors: UInt64
    public var txDropped: UInt64

    public static let source = "/proc/net/dev"

    /// Interfaces by name. Each line is `name: 8 receive columns 8 transmit columns`.
    public static func parse(_ text: String) throws -> [String: InterfaceCounters] {
        let lines = ProcText.lines(text)
        guard lines.count >= 2, lines[0].text.contains("Receive"), lines[1].text.contains("bytes") else {
            throw ProcParseError(source, line: 1, "missing the two header lines")
        }
        var result: [String: InterfaceCounters] = [:]
        for (number, line) in lines.dropFirst(2) {
            guard let colon = line.firstIndex(of: ":") else {
                throw ProcParseError(source, line: number, "no 'name:' at the start")
            }
            let names = ProcText.fields(line[..<colon])
            let name = names.count == 1 ? String(names[0]) : ""
            let f = ProcText.fields(line[line.index(after: colon)...])
            guard !name.isEmpty, f.count == 16 else {
                throw ProcParseError(source, line: number, "expected 16 counters for '\(name)', found \(f.count)")
            }
            let v = try f.map { field -> UInt64 in
                guard let n = UInt64(field) else { throw ProcParseError(source, line: number, "'\(field)' is not a counter") }
                return n
            }
            result[name] = InterfaceCounters(rxBytes: v[0], rxPackets: v[1], rxErrors: v[2], rxDropped: v[3],
                                             txBytes: v[8], txPackets: v[9], txErrors: v[10], txDropped: v[11])
        }
        return result
    }
}
