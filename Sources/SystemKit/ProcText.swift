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
    /// Non-empty lines with their 1-based line numbers. /proc text is ASCII, so lines and
    /// fields are cut on bytes: Character-wise splitting (grapheme breaking) made these two
    /// helpers most of what a 10 Hz collector spends per sample.
    public static func lines(_ text: String) -> [(number: Int, text: Substring)] {
        var lines: [(number: Int, text: Substring)] = []
        let bytes = text.utf8
        var number = 1, start = bytes.startIndex, blank = true, i = start
        while i != bytes.endIndex {
            let byte = bytes[i]
            if byte == newline {
                if !blank { lines.append((number, text[start..<i])) }
                number += 1
                bytes.formIndex(after: &i)
                start = i
                blank = true
                continue
            }
            if byte != space && byte != tab { blank = false }
            bytes.formIndex(after: &i)
        }
        if !blank { lines.append((number, text[start..<i])) }
        return lines
    }

    /// Whitespace-separated fields of a line.
    public static func fields(_ line: Substring) -> [Substring] {
        var fields: [Substring] = []
        let bytes = line.utf8
        var start: Substring.Index?, i = bytes.startIndex
        while i != bytes.endIndex {
            let byte = bytes[i]
            if byte == space || byte == tab {
                if let s = start { fields.append(line[s..<i]) }
                start = nil
            } else if start == nil {
                start = i
            }
            bytes.formIndex(after: &i)
        }
        if let s = start { fields.append(line[s..<i]) }
        return fields
    }

    private static let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")

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
