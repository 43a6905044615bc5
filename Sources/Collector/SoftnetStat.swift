import SystemKit

/// One CPU's row of `/proc/net/softnet_stat` (hexadecimal columns): packets processed by
/// the receive softirq, packets dropped because the backlog was full, and times the softirq
/// ran out of budget with work left (time_squeeze: a sign the CPU cannot keep up).
public struct SoftnetStat: Codable, Equatable, Sendable {
    public var processed: UInt64
    public var dropped: UInt64
    public var timeSqueeze: UInt64

    public init(processed: UInt64, dropped: UInt64, timeSqueeze: UInt64) {
        self.processed = processed
        self.dropped = dropped
        self.timeSqueeze = timeSqueeze
    }

    public static let source = "/proc/net/softnet_stat"

    /// One entry per CPU line. Kernels add columns over time (6.1: 13, 6.18: 15); every row
    /// must have as many as the first, which catches a read cut inside the last row.
    public static func parse(_ text: String) throws -> [SoftnetStat] {
        let lines = ProcText.lines(text)
        guard let first = lines.first else { throw ProcParseError(source, line: 0, "empty") }
        let width = ProcText.fields(first.text).count
        guard width >= 3 else {
            throw ProcParseError(source, line: first.number, "expected at least 3 columns, found \(width)")
        }
        return try lines.map { number, line in
            let f = ProcText.fields(line)
            guard f.count == width else {
                throw ProcParseError(source, line: number, "expected \(width) columns like the first row, found \(f.count)")
            }
            for field in f where field.count != 8 {
                throw ProcParseError(source, line: number, "'\(field)' is not an 8-digit hexadecimal column")
            }
            return SoftnetStat(processed: try ProcText.hex(f[0], source, line: number),
                               dropped: try ProcText.hex(f[1], source, line: number),
                               timeSqueeze: try ProcText.hex(f[2], source, line: number))
        }
    }
}
