import Foundation
import IPVSControl
import Lab
import SystemKit

/// The director's IPVS state at one instant.
public struct IPVSSample: Codable, Equatable, Sendable {
    public var stats: IPVSProcStats
    public var table: IPVSProcTable
    public var connections: IPVSConnTable
    public var timeouts: IPVSTimeouts?
    /// Cumulative per-real counters keyed `TCP 198.18.0.10:80 -> 198.18.1.2:80`, from
    /// `ipvsadm -Ln --stats --exact` (the only place the kernel gives per-real totals).
    public var reals: [String: RealCounters]

    public init(stats: IPVSProcStats, table: IPVSProcTable, connections: IPVSConnTable,
                timeouts: IPVSTimeouts?, reals: [String: RealCounters]) {
        self.stats = stats
        self.table = table
        self.connections = connections
        self.timeouts = timeouts
        self.reals = reals
    }
}

/// Turns the text of `ipvsadm -Ln --stats --exact` into per-real counters keyed
/// `TCP 198.18.0.10:80 -> 198.18.1.2:80`. The default is `RealCounters.statsListing`
/// (the lab's `IPVSStatsListing`); passing nil skips that listing, one ipvsadm run less per
/// sample, and per-real totals are then not sampled.
public typealias RealCountersParser = @Sendable (String) throws -> [String: RealCounters]

/// Cumulative counters of one real server of one service.
public struct RealCounters: Codable, Equatable, Sendable {
    public var conns: UInt64
    public var inPackets: UInt64
    public var outPackets: UInt64
    public var inBytes: UInt64
    public var outBytes: UInt64

    public init(conns: UInt64, inPackets: UInt64, outPackets: UInt64, inBytes: UInt64, outBytes: UInt64) {
        self.conns = conns
        self.inPackets = inPackets
        self.outPackets = outPackets
        self.inBytes = inBytes
        self.outBytes = outBytes
    }
}

/// What one node's kernel said at one instant. A file that could not be read or parsed
/// leaves its field empty and its error in `errors`, so one bad read does not end a run.
public struct NodeSample: Codable, Equatable, Sendable {
    public var node: String
    public var role: NodeRole
    /// `/proc/net/snmp` and `/proc/net/netstat`, keyed `Tcp.ActiveOpens`, `TcpExt.ListenDrops`.
    public var counters: [String: Int64] = [:]
    public var softnet: [SoftnetStat] = []
    public var cpu: CPUTimes?
    public var interfaces: [String: InterfaceCounters] = [:]
    /// Entries in the conntrack table, when the node has conntrack loaded.
    public var conntrackCount: Int?
    /// Only on the director.
    public var ipvs: IPVSSample?
    public var errors: [String] = []

    public init(node: String, role: NodeRole) {
        self.node = node
        self.role = role
    }
}

/// One read of every node: the batched commands and the parsing of their output.
enum NodeReading {
    static let marker = "==lvsbench-section=="
    static let commonFiles = ["/proc/net/snmp", "/proc/net/netstat", "/proc/net/softnet_stat", "/proc/stat",
                              "/proc/net/dev", "/proc/sys/net/netfilter/nf_conntrack_count"]
    static let ipvsFiles = ["/proc/net/ip_vs_stats", "/proc/net/ip_vs"]
    static let connSummary = "ip_vs_conn-summary"

    /// One process per node and sample where possible: `grep -H '' FILES` prints every
    /// line of every file prefixed by its path, so one `grep` reads them all. Process
    /// creation is what costs (inside a busy one-CPU UML guest each one takes tens of ms,
    /// and every command is a round trip through the guest's agent). The director adds
    /// the connection table counted by state (awk: the table itself can be megabytes) and
    /// the ipvsadm listings after marker lines, through one constant `sh -c` (no lab name
    /// or path is interpolated into it).
    static func argv(director: Bool, statsListing: Bool, timeouts: Bool) -> [String] {
        let files = commonFiles + (director ? ipvsFiles : [])
        guard director else { return ["grep", "-H", ""] + files }
        var script = "grep -H '' \(files.joined(separator: " ")) 2>/dev/null"
        script += "; echo '\(marker) \(connSummary)'; awk '\(IPVSConnTable.summaryAWK)' /proc/net/ip_vs_conn"
        if timeouts { script += "; echo '\(marker) ipvsadm-timeout'; ipvsadm -L --timeout 2>/dev/null" }
        if statsListing { script += "; echo '\(marker) ipvsadm-stats'; ipvsadm -Ln --stats --exact 2>/dev/null" }
        return ["sh", "-c", script + "; true"]
    }

    /// Splits the output into sections by file (the `path:` prefix of grep -H) and by
    /// marker line (the ipvsadm listings).
    static func sections(_ output: String) -> [String: String] {
        let files = commonFiles + ipvsFiles
        var bodies: [String: [Substring]] = [:]
        var current: String?
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(marker + " ") {
                current = String(line.dropFirst(marker.count + 1))
                bodies[current!, default: []] = []
            } else if current == nil, let colon = line.firstIndex(of: ":"), files.contains(String(line[..<colon])) {
                bodies[String(line[..<colon]), default: []].append(line[line.index(after: colon)...])
            } else if let current {
                bodies[current, default: []].append(line)
            }
        }
        return bodies.mapValues { $0.joined(separator: "\n") + "\n" }
    }

    /// Reads `node` once; `timeouts` adds the (rarely changing) IPVS timeouts.
    static func read(_ node: any LabNode, realCounters: RealCountersParser?, timeouts: Bool = true) -> NodeSample {
        let director = node.role == .director
        do {
            let argv = argv(director: director, statsListing: realCounters != nil, timeouts: timeouts)
            // grep exits 2 when a file is missing (no conntrack here): its output still counts.
            let result = try node.run(argv, timeout: 10)
            guard result.succeeded || (result.status == 2 && !result.stdout.isEmpty) else {
                var sample = NodeSample(node: node.name, role: node.role)
                sample.errors.append(CommandFailed(argv: Array(argv.prefix(3)), result: result).description)
                return sample
            }
            return parse(result.stdout, node: node.name, role: node.role, realCounters: realCounters)
        } catch {
            var sample = NodeSample(node: node.name, role: node.role)
            sample.errors.append("\(node.name): \(error)")
            return sample
        }
    }

    /// Parses the batched output; every parser's error is kept, none stops the others.
    static func parse(_ output: String, node: String, role: NodeRole, realCounters: RealCountersParser?) -> NodeSample {
        let s = sections(output)
        var sample = NodeSample(node: node, role: role)
        func attempt<T>(_ key: String, optional: Bool = false, _ parse: (String) throws -> T) -> T? {
            guard let text = s[key], !text.allSatisfy(\.isWhitespace) else {
                if !optional { sample.errors.append("\(node): \(key) was empty or missing") }
                return nil
            }
            do { return try parse(text) } catch { sample.errors.append("\(node): \(error)") }
            return nil
        }
        var counters = attempt("/proc/net/snmp") { try SNMPCounters.parse($0, source: "/proc/net/snmp") } ?? [:]
        let netstat = attempt("/proc/net/netstat") { try SNMPCounters.parse($0, source: "/proc/net/netstat") } ?? [:]
        counters.merge(netstat) { a, _ in a }
        sample.counters = counters
        sample.softnet = attempt(SoftnetStat.source, SoftnetStat.parse) ?? []
        sample.cpu = attempt(CPUTimes.source) { try CPUTimes.parse($0).all }
        sample.interfaces = attempt(InterfaceCounters.source, InterfaceCounters.parse) ?? [:]
        sample.conntrackCount = attempt("/proc/sys/net/netfilter/nf_conntrack_count", optional: true) { text in
            guard let n = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw ProcParseError("/proc/sys/net/netfilter/nf_conntrack_count", line: 1, "not a number")
            }
            return n
        }
        if role == .director,
           let stats = attempt(IPVSProcStats.source, IPVSProcStats.init(parsing:)),
           let table = attempt(IPVSProcTable.source, IPVSProcTable.init(parsing:)),
           let conns = attempt(connSummary, IPVSConnTable.init(parsingSummary:)) {
            sample.ipvs = IPVSSample(stats: stats, table: table, connections: conns,
                                     timeouts: attempt("ipvsadm-timeout", optional: true, IPVSTimeouts.init(parsing:)),
                                     reals: realCounters.flatMap { attempt("ipvsadm-stats", $0) } ?? [:])
        }
        return sample
    }
}

extension RealCounters {
    /// Per-real counters from `ipvsadm -Ln --stats --exact`, keyed
    /// `TCP 198.18.0.10:80 -> 198.18.1.2:80`: the collector's default parser.
    public static let statsListing: RealCountersParser = { text in
        var result: [String: RealCounters] = [:]
        for service in try IPVSStatsListing.parse(text).services {
            let key = "\(service.proto) \(service.service.address):\(service.service.port)"
            for real in service.reals {
                let c = real.counters
                result["\(key) -> \(real.address):\(real.port)"] =
                    RealCounters(conns: c.connections, inPackets: c.inPackets, outPackets: c.outPackets,
                                 inBytes: c.inBytes, outBytes: c.outBytes)
            }
        }
        return result
    }
}
