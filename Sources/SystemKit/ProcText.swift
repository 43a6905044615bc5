import Foundation

/// A /proc (or tool output) text that does not have the shape its parser expects: truncated
/// mid-read, garbled, or from a kernel whose format changed. Names the file and the line.
public struct ProcParseError: UserFacingError, Equatable {
    /// What was parsed, e.g. `/proc/net/snmp`.
    public let source: String
    /// 1-based line number, 0 when the problem is the text as a whole (empty, missing lines).
    public let line: Int
    public let reason: String

    public init(_ source: String, line: Int, _ reason: String) {
        self.source = source
        self.line = line
        self.reason = reason
    }

    public var description: String {
        let at = line > 0 ? " line \(line)" : ""
        return "cannot parse \(source)\(at): \(reason) (truncated or garbled read, or an unexpected kernel format)"
    }
    public var exitStatus: ExitStatus { .failure }
}

/// Small helpers shared by the /proc parsers, so that every one of them reports bad input
/// the same way instead of trapping on a failed conversion.
public enum ProcText {
    /// Non-empty lines with their 1-based line numbers.
    public static func lines(_ text: String) -> [(number: Int, text: Substring)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .compactMap { i, line in
                line.allSatisfy({ $0 == " " || $0 == "\t" }) ? nil : (i + 1, line)
            }
    }

    /// Whitespace-separated fields of a line.
    public static func fields(_ line: Substring) -> [Substring] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }

    /// A decimal counter. Kernel counters are unsigned 64-bit, but a few SNMP values are
    /// signed (Tcp MaxConn is -1), so both are accepted and stored as the same bits.
    public static func decimal(_ field: Substring, _ source: String, line: Int) throws -> Int64 {
        if let v = Int64(field) { return v }
        if let v = UInt64(field) { return Int64(bitPattern: v) }
        throw ProcParseError(source, line: line, "'\(field)' is not a number")
    }

    /// A hexadecimal field without prefix, as /proc/net/softnet_stat and ip_vs print them.
    public static func hex(_ field: Substring, _ source: String, line: Int) throws -> UInt64 {
        guard let v = UInt64(field, radix: 16) else {
            throw ProcParseError(source, line: line, "'\(field)' is not a hexadecimal number")
        }
        return v
    }
}
