import SystemKit

/// CPU time by kind from a `cpu` line of `/proc/stat`, in clock ticks (USER_HZ, 100 per
/// second on Linux). Softirq is where IPVS and the network stack spend their time.
public struct CPUTimes: Codable, Equatable, Sendable {
    public var user: UInt64
    public var nice: UInt64
    public var system: UInt64
    public var idle: UInt64
    public var iowait: UInt64
    public var irq: UInt64
    public var softirq: UInt64
    public var steal: UInt64

    public init(user: UInt64 = 0, nice: UInt64 = 0, system: UInt64 = 0, idle: UInt64 = 0, iowait: UInt64 = 0,
                irq: UInt64 = 0, softirq: UInt64 = 0, steal: UInt64 = 0) {
        self.user = user
        self.nice = nice
        self.system = system
        self.idle = idle
        self.iowait = iowait
        self.irq = irq
        self.softirq = softirq
        self.steal = steal
    }

    /// All ticks counted (guest time is already inside user and nice).
    public var total: UInt64 { user + nice + system + idle + iowait + irq + softirq + steal }

    public static let source = "/proc/stat"

    /// The aggregate `cpu` line and the per-CPU lines (`cpu0`, `cpu1`, ...), in order.
    public static func parse(_ text: String) throws -> (all: CPUTimes, perCPU: [CPUTimes]) {
        var all: CPUTimes?
        var perCPU: [CPUTimes] = []
        for (number, line) in ProcText.lines(text) where line.hasPrefix("cpu") {
            let f = ProcText.fields(line)
            // Kernels since 2.6.11 print at least 8 values; a shorter line was cut.
            guard f.count >= 9 else {
                throw ProcParseError(source, line: number, "expected at least 8 times after '\(f[0])', found \(f.count - 1)")
            }
            let v = try f[1...8].map { field -> UInt64 in
                guard let n = UInt64(field) else { throw ProcParseError(source, line: number, "'\(field)' is not a tick count") }
                return n
            }
            // The sum is what rates are computed from: ticks that overflow it are garbled.
            guard v.reduce((0 as UInt64, false), { acc, x in
                let (s, o) = acc.0.addingReportingOverflow(x)
                return (s, acc.1 || o)
            }).1 == false else {
                throw ProcParseError(source, line: number, "the tick counts add up beyond 64 bits")
            }
            let times = CPUTimes(user: v[0], nice: v[1], system: v[2], idle: v[3], iowait: v[4],
                                 irq: v[5], softirq: v[6], steal: v[7])
            if f[0] == "cpu" { all = times } else if f[0].dropFirst(3).allSatisfy(\.isNumber) {
                perCPU.append(times)
            } else {
                throw ProcParseError(source, line: number, "unexpected line '\(f[0])'")
            }
        }
        guard let all else { throw ProcParseError(source, line: 0, "no aggregate 'cpu' line") }
        return (all, perCPU)
    }
}
