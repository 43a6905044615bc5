import Foundation
import IPVSControl
import Lab
import Results
import SystemKit

/// The director's memory as the connection table fills, read with every sample in one cheap
/// call: `/proc/meminfo` (MemAvailable, Slab) and `/proc/slabinfo` (the `ip_vs_conn` cache:
/// objects in use and their size). The table itself is not read per sample: at 100k entries
/// `/proc/net/ip_vs_conn` costs the one-CPU director more than the load does; its size per
/// sample is ActiveConn + InActConn from the listing the probe reads anyway.
enum ConnTableGauges {
    static let memAvailable = "mem_available_kb"
    static let slab = "slab_kb"
    static let connObjects = "ip_vs_conn_objects"
    static let connObjectBytes = "ip_vs_conn_object_bytes"

    static let files = ["/proc/meminfo", "/proc/slabinfo"]

    static func read(_ node: any LabNode) throws -> [String: Double] {
        let texts = try node.readFiles(files)
        guard let meminfo = texts["/proc/meminfo"] else {
            throw RuntimeFailure("the \(node.name) has no /proc/meminfo: cannot follow its memory")
        }
        return parse(meminfo: meminfo, slabinfo: texts["/proc/slabinfo"])
    }

    /// MemAvailable and Slab in kB; the ip_vs_conn cache's active objects and object size
    /// when slabinfo has its own line (a cache merged into another has none).
    static func parse(meminfo: String, slabinfo: String?) -> [String: Double] {
        var gauges: [String: Double] = [:]
        for line in meminfo.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == ":" })
            guard f.count >= 2, let kb = Double(f[1]) else { continue }
            if f[0] == "MemAvailable" { gauges[memAvailable] = kb }
            if f[0] == "Slab" { gauges[slab] = kb }
        }
        // name <active_objs> <num_objs> <objsize> ...
        if let line = slabinfo?.split(separator: "\n").first(where: { $0.hasPrefix("ip_vs_conn ") }) {
            let f = line.split(separator: " ")
            if f.count >= 4, let active = Double(f[1]), let size = Double(f[3]) {
                gauges[connObjects] = active
                gauges[connObjectBytes] = size
            }
        }
        return gauges
    }

    /// The table's entries in a sample: IPVS's ActiveConn + InActConn over every real.
    static func entries(_ sample: DirectorSample) -> UInt64 {
        sample.reals.values.reduce(0) { $0 + ($1.active ?? 0) + ($1.inactive ?? 0) }
    }
}

/// The connection table counted by state once (a step, not a sample: one pass over the whole
/// table), written into the event's detail so the report shows which state holds the entries,
/// and read back from it by the findings.
struct ConnTableCensus: Equatable {
    var byState: [String: Int]
    var total: Int { byState.values.reduce(0, +) }

    static let prefix = "table by state: "

    init(byState: [String: Int]) {
        self.byState = byState
    }

    static func take(on node: any LabNode) throws -> ConnTableCensus {
        let out = try node.check(["awk", IPVSConnTable.summaryAWK, IPVSConnTable.source], timeout: 120).stdout
        return ConnTableCensus(byState: try IPVSConnTable(parsingSummary: out).byState)
    }

    /// States by count, the largest first (ties by name).
    var ranked: [(state: String, count: Int)] {
        byState.map { (state: $0.key, count: $0.value) }.sorted { ($0.count, $1.state) > ($1.count, $0.state) }
    }

    /// The state holding most entries; nil for an empty table.
    var dominant: String? { ranked.first?.state }

    /// "table by state: 5000 entries, TIME_WAIT 4990, ESTABLISHED 10".
    var description: String {
        Self.prefix + "\(total) entries" + ranked.map { ", \($0.state) \($0.count)" }.joined()
    }

    /// Reads `description` back from an event's detail; nil when the detail is another step's.
    init?(describing text: String) {
        guard let start = text.range(of: Self.prefix) else { return nil }
        let parts = text[start.upperBound...].components(separatedBy: ", ")
        guard let head = parts.first, head.hasSuffix(" entries"), let total = Int(head.dropLast(" entries".count)) else {
            return nil
        }
        var states: [String: Int] = [:]
        for part in parts.dropFirst() {
            let f = part.split(separator: " ")
            guard f.count == 2, let count = Int(f[1]) else { return nil }
            states[String(f[0])] = count
        }
        self.init(byState: states)
        guard self.total == total else { return nil }
    }
}
