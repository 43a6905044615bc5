/// Counts `/proc/net/ip_vs_conn` as `IPVSConnTable.summaryAWK` does, fed in chunks, so the
/// guest agent can summarize a table of any size in its own process with constant memory
/// (a process in the one-CPU UML guest costs 100 ms or more). `text` is the awk program's
/// output format, which `IPVSConnTable(parsingSummary:)` reads.
public struct ConnTableSummarizer {
    private var partial: [UInt8] = []
    private var lines = 0
    private var byState: [String: Int] = [:]
    private var byReal: [String: Int] = [:]

    public init() {}

    public mutating func feed(_ bytes: some Collection<UInt8>) {
        var start = bytes.startIndex
        var i = start
        while i != bytes.endIndex {
            if bytes[i] == 0x0A {
                if partial.isEmpty {
                    line(Array(bytes[start..<i]))
                } else {
                    partial += bytes[start..<i]
                    line(partial)
                    partial = []
                }
                start = bytes.index(after: i)
            }
            i = bytes.index(after: i)
        }
        partial += bytes[start..<bytes.endIndex]
    }

    private mutating func line(_ bytes: [UInt8]) {
        lines += 1
        guard lines > 1 else { return }
        let fields = bytes.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 })
        guard fields.count >= 9 else { return }
        byState[String(decoding: fields[7], as: UTF8.self), default: 0] += 1
        byReal[String(decoding: fields[5], as: UTF8.self) + " " + String(decoding: fields[6], as: UTF8.self), default: 0] += 1
    }

    /// `entries N`, then `state NAME COUNT` and `real HEXADDR HEXPORT COUNT` lines.
    public mutating func finish() -> String {
        if !partial.isEmpty {
            line(partial)
            partial = []
        }
        var out = "entries \(max(lines - 1, 0))\n"
        for (k, v) in byState.sorted(by: { $0.key < $1.key }) { out += "state \(k) \(v)\n" }
        for (k, v) in byReal.sorted(by: { $0.key < $1.key }) { out += "real \(k) \(v)\n" }
        return out
    }
}
