import Balancing
import Foundation
import IPVSControl
import Lab
import SystemKit

/// One read of a node: which files and commands, and the parsing of what they return.
enum NodeReading {
    static let marker = "==lvsbench-section=="
    static let commonFiles = ["/proc/net/snmp", "/proc/net/netstat", "/proc/net/softnet_stat", "/proc/stat",
                              "/proc/net/dev", "/proc/sys/net/netfilter/nf_conntrack_count"]
    static let ipvsFiles = ["/proc/net/ip_vs_stats", "/proc/net/ip_vs"]

    /// The files a node of `role` is read for.
    static func files(role: NodeRole) -> [String] { commonFiles + (role == .director ? ipvsFiles : []) }
    static let connSummary = "ip_vs_conn-summary"
    static let timeoutSection = "ipvsadm-timeout"
    static let statsSection = "ipvsadm-stats"
    static let statsArgv = IPVSCommand.listStats

    /// The director's occasional part, in one process: the connection table counted by
    /// state (awk: the table itself can be megabytes) and the timeouts, after marker lines.
    /// A constant script: no lab name or path is interpolated into it.
    static let occasionalArgv: [String] = {
        let script = "echo '\(marker) \(connSummary)'; awk '\(IPVSConnTable.summaryAWK)' /proc/net/ip_vs_conn"
            + "; echo '\(marker) \(timeoutSection)'; ipvsadm -L --timeout 2>/dev/null; true"
        return ["sh", "-c", script]
    }()

    /// Splits output into sections by marker line and, before the first marker, by the
    /// `path:` prefix of `grep -H` (the batched form the parser tests are written in).
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

    /// What one read of a node returned, not yet parsed: the collector keeps these during
    /// its window and parses them when it stops, so the parsing (most of a sample's host
    /// CPU) does not compete with the load being measured.
    struct Raw: Sendable {
        let node: String
        let role: NodeRole
        let occasional: Bool
        /// File texts and sections, keyed by path or section name; nil when the read failed.
        var sections: [String: String]?
        /// Per-real counters the director's agent read over netlink.
        var netlinkReals: [RealReading]?
        var errors: [String] = []
        var readSeconds: Double?
    }

    /// Reads `node` once and parses it (`fetch`, then `parse`).
    static func read(_ node: any LabNode, realCounters: RealCountersParser?, occasional: Bool = true,
                     session: GuestAgent.Session? = nil, files: NamespaceFiles? = nil) -> NodeSample {
        parse(fetch(node, realCounters: realCounters, occasional: occasional, session: session, files: files),
              realCounters: realCounters)
    }

    /// Reads `node` once, without parsing. Process creation is what a sample costs in the
    /// one-CPU UML guest (tens of ms each, taken from the traffic being measured), so on a
    /// UML director the files, the per-real totals (IPVS netlink) and, when `occasional` is
    /// set, the connection states and timeouts come in one request the agent answers in its
    /// own process; a namespace director reads its files in one process and adds
    /// `ipvsadm -Ln --stats --exact`, and `occasionalArgv` when `occasional` is set.
    /// `session`, for a UML director, is the collection's open connection to its agent;
    /// `files`, for a namespace node, its files kept open, read without a process.
    static func fetch(_ node: any LabNode, realCounters: RealCountersParser?, occasional: Bool = true,
                      session: GuestAgent.Session? = nil, files: NamespaceFiles? = nil) -> Raw {
        let director = node.role == .director
        let started = DispatchTime.now().uptimeNanoseconds
        var raw = Raw(node: node.name, role: node.role, occasional: occasional)
        var sections: [String: String]
        do {
            if director, realCounters != nil, let guest = node.ipvsAgent {
                let r = try guest.readFilesAndIPVS(commonFiles + ipvsFiles, occasional: occasional, over: session)
                (sections, raw.netlinkReals) = (r.files, r.reals)
                if let summary = r.connSummary, let timeouts = r.timeouts {
                    sections[connSummary] = summary
                    sections[timeoutSection] = timeouts
                }
            } else if let files {
                sections = try files.read(Self.files(role: node.role))
            } else {
                sections = try node.readFiles(Self.files(role: node.role))
            }
        } catch {
            raw.errors.append("\(node.name): \(error)")
            return raw
        }
        if director, realCounters != nil, raw.netlinkReals == nil {
            do { sections[statsSection] = try node.check(statsArgv, timeout: 10).stdout } catch {
                raw.errors.append("\(node.name): \(error)")
            }
        }
        if director, occasional, sections[connSummary] == nil {
            do { sections.merge(Self.sections(try node.check(occasionalArgv, timeout: 10).stdout)) { $1 } } catch {
                raw.errors.append("\(node.name): \(error)")
            }
        }
        raw.sections = sections
        raw.readSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return raw
    }

    /// The sample `raw` holds; a failed read is a sample with only its error.
    static func parse(_ raw: Raw, realCounters: RealCountersParser?) -> NodeSample {
        guard let sections = raw.sections else {
            var sample = NodeSample(node: raw.node, role: raw.role)
            sample.errors = raw.errors
            return sample
        }
        var sample = parse(sections: sections, node: raw.node, role: raw.role,
                           realCounters: raw.netlinkReals == nil ? realCounters : nil, occasional: raw.occasional)
        if let reals = raw.netlinkReals, let ipvs = sample.ipvs { sample.ipvs?.reals = IPVSSample.withEntries(reals, from: ipvs.table) }
        sample.errors = raw.errors + sample.errors
        sample.readSeconds = raw.readSeconds
        return sample
    }

    /// Parses batched output (see `sections`).
    static func parse(_ output: String, node: String, role: NodeRole, realCounters: RealCountersParser?) -> NodeSample {
        parse(sections: sections(output), node: node, role: role, realCounters: realCounters, occasional: true)
    }

    /// Parses the sections (keyed by path or section name); every parser's error is kept,
    /// none stops the others. Without `occasional` the connection states and timeouts are
    /// not expected.
    static func parse(sections s: [String: String], node: String, role: NodeRole,
                      realCounters: RealCountersParser?, occasional: Bool) -> NodeSample {
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
           let table = attempt(IPVSProcTable.source, IPVSProcTable.init(parsing:)) {
            let conns = occasional ? attempt(connSummary, IPVSConnTable.init(parsingSummary:)) : nil
            sample.ipvs = IPVSSample(stats: stats, table: table, connections: conns,
                                     timeouts: attempt(timeoutSection, optional: true, IPVSTimeoutListing.parse),
                                     reals: realCounters.flatMap { attempt(statsSection, $0) } ?? [])
        }
        return sample
    }
}
