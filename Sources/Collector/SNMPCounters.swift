import SystemKit

/// `/proc/net/snmp` and `/proc/net/netstat`: pairs of lines, a header naming the counters
/// and a line of values, both prefixed by the group (`Tcp:`, `TcpExt:`). Every counter is
/// kept, keyed `Group.Name` (`Tcp.ActiveOpens`, `TcpExt.ListenOverflows`), so a counter this
/// code does not know about still reaches the results.
public enum SNMPCounters {
    public static func parse(_ text: String, source: String = "/proc/net/snmp") throws -> [String: Int64] {
        let lines = ProcText.lines(text)
        guard !lines.isEmpty else { throw ProcParseError(source, line: 0, "empty") }
        guard lines.count % 2 == 0 else {
            throw ProcParseError(source, line: lines.last!.number, "a header line without its values line")
        }
        var counters: [String: Int64] = [:]
        for i in stride(from: 0, to: lines.count, by: 2) {
            let (hn, header) = lines[i], (vn, values) = lines[i + 1]
            let names = ProcText.fields(header), numbers = ProcText.fields(values)
            guard let group = names.first, group.hasSuffix(":"), group.count > 1 else {
                throw ProcParseError(source, line: hn, "expected 'Group: Name ...', found '\(header)'")
            }
            guard numbers.first == group else {
                throw ProcParseError(source, line: vn, "values line does not start with '\(group)'")
            }
            guard names.count == numbers.count else {
                throw ProcParseError(source, line: vn, "\(names.count - 1) names but \(numbers.count - 1) values")
            }
            let prefix = group.dropLast()
            for (name, value) in zip(names.dropFirst(), numbers.dropFirst()) {
                counters["\(prefix).\(name)"] = try ProcText.decimal(value, source, line: vn)
            }
        }
        return counters
    }
}
