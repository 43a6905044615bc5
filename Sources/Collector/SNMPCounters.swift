import Foundation
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
        counters.reserveCapacity(lines.count * 64)
        for i in stride(from: 0, to: lines.count, by: 2) {
            let (hn, header) = lines[i], (vn, values) = lines[i + 1]
            let numbers = ProcText.fields(values)
            let keys = try keyCache.keys(of: header, source: source, line: hn)
            guard let first = numbers.first, first == keys.group else {
                throw ProcParseError(source, line: vn, "values line does not start with '\(keys.group)'")
            }
            guard keys.names.count == numbers.count - 1 else {
                throw ProcParseError(source, line: vn, "\(keys.names.count) names but \(numbers.count - 1) values")
            }
            for (key, value) in zip(keys.names, numbers.dropFirst()) {
                counters[key] = try ProcText.decimal(value, source, line: vn)
            }
        }
        return counters
    }

    /// The `Group.Name` keys of each header line seen. A kernel prints the same few headers
    /// at every read, so a collector sampling five nodes ten times a second would otherwise
    /// build the same few hundred key strings fifty times a second.
    private static let keyCache = KeyCache()

    private final class KeyCache: @unchecked Sendable {
        struct Keys {
            /// With its colon, as the values line starts: `Tcp:`.
            var group: String
            var names: [String]
        }

        private let lock = NSLock()
        private var byHeader: [Substring: Keys] = [:]
        /// A bound for garbled input, where every header would be new.
        private let limit = 64

        func keys(of header: Substring, source: String, line: Int) throws -> Keys {
            lock.lock()
            let known = byHeader[header]
            lock.unlock()
            if let known { return known }
            let names = ProcText.fields(header)
            guard let group = names.first, group.hasSuffix(":"), group.count > 1 else {
                throw ProcParseError(source, line: line, "expected 'Group: Name ...', found '\(header)'")
            }
            let prefix = String(group.dropLast()) + "."
            let keys = Keys(group: String(group), names: names.dropFirst().map { prefix + $0 })
            lock.lock()
            if byHeader.count >= limit { byHeader.removeAll() }
            byHeader[Substring(String(header))] = keys
            lock.unlock()
            return keys
        }
    }
}
