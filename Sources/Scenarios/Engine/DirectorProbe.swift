import Balancing
import Foundation
import IPVSControl
import Lab
import Results
import SystemKit

/// Reads the director's view of the reals: IPVS's per-real counters (connections
/// scheduled), each real's active and inactive connections and, when asked, the connection
/// table counted per real, which still shows entries of a real that was removed from the
/// service.
///
/// A UML director answers through its agent in one request that starts no process in the
/// guest (IPVS netlink and the table counted in the agent): a process there costs its one
/// CPU tens of milliseconds, taken from the forwarding being measured, and the probe runs
/// every `sampleEvery` (Benchmarks/CollectorCost.md). A namespace director runs one `sh`
/// with two `ipvsadm` listings and, for the table, `awk`.
struct DirectorProbe {
    var director: any LabNode
    var readsTable: Bool

    static let separator = "@@lvsbench@@"

    /// The namespace director's command.
    var command: [String] {
        var script = "ipvsadm -Ln --stats --exact; echo \(Self.separator); ipvsadm -Ln"
        if readsTable { script += "; echo \(Self.separator); awk '\(IPVSConnTable.summaryAWK)' \(IPVSConnTable.source)" }
        return ["sh", "-c", script]
    }

    /// One sample, stamped with `t` by the caller's clock.
    func sample(at t: Double) throws -> DirectorSample {
        if let agent = director.ipvsAgent {
            let read = try agent.readFilesAndIPVS([], occasional: readsTable)
            return try Self.sample(reals: read.reals, connSummary: read.connSummary,
                                   readsTable: readsTable, t: t)
        }
        let out = try director.check(command, timeout: 10).stdout
        return try Self.parse(out, t: t)
    }

    /// The namespace director's output (`command`).
    static func parse(_ text: String, t: Double) throws -> DirectorSample {
        let parts = text.components(separatedBy: separator + "\n")
        guard parts.count >= 2 else { throw RuntimeFailure("the director's IPVS listing came back cut: \(text.prefix(80))") }
        let scheduled = try IPVSStatsListing.parse(parts[0]).services.flatMap { $0.reals.map { ($0.address, $0.counters.conns) } }
        let entries = try IPVSListing.parse(parts[1]).services.flatMap { service in
            service.reals.map { ($0.address, UInt64($0.activeConnections), UInt64($0.inactiveConnections)) }
        }
        let table = parts.count >= 3 ? try IPVSConnTable(parsingSummary: parts[2]) : nil
        return assemble(scheduled: scheduled, entries: entries, table: table, t: t)
    }

    /// The agent's reading: every real with its counters and entries (IPVS netlink) and,
    /// when the table is read, its summary (`ConnTableSummarizer`'s output, the awk's).
    static func sample(reals: [RealReading], connSummary: String?, readsTable: Bool, t: Double) throws -> DirectorSample {
        let entries = try reals.map { real in
            guard let active = real.activeEntries, let inactive = real.inactiveEntries else {
                throw RuntimeFailure("the director's agent sent no connection entries for \(real.key): it is an older lvsbench; "
                    + "recreate the lab with `lvsbench lab down` and `lvsbench lab up`")
            }
            return (real.address, UInt64(active), UInt64(inactive))
        }
        var table: IPVSConnTable?
        if readsTable {
            guard let connSummary else {
                throw RuntimeFailure("the director's agent sent no connection table summary: it is an older lvsbench; "
                    + "recreate the lab with `lvsbench lab down` and `lvsbench lab up`")
            }
            table = try IPVSConnTable(parsingSummary: connSummary)
        }
        return assemble(scheduled: reals.map { ($0.address, $0.counters.conns) }, entries: entries, table: table, t: t)
    }

    /// Per real address, summed over the services (the lab's HTTP and TCP services share
    /// their reals); the table's entries per real and in all.
    static func assemble(scheduled: [(address: String, conns: UInt64)], entries: [(address: String, active: UInt64, inactive: UInt64)],
                         table: IPVSConnTable?, t: Double) -> DirectorSample {
        var reals: [String: DirectorSample.RealGauge] = [:]
        for real in scheduled {
            reals[real.address, default: .init()].scheduled = (reals[real.address]?.scheduled ?? 0) + real.conns
        }
        for real in entries {
            var gauge = reals[real.address, default: .init()]
            gauge.active = (gauge.active ?? 0) + real.active
            gauge.inactive = (gauge.inactive ?? 0) + real.inactive
            reals[real.address] = gauge
        }
        var gauges: [String: Double] = [:]
        if let table {
            for (endpoint, count) in table.byReal {
                let address = String(endpoint[..<(endpoint.lastIndex(of: ":") ?? endpoint.endIndex)])
                reals[address, default: .init()].tableEntries = (reals[address]?.tableEntries ?? 0) + count
            }
            gauges["table_entries"] = Double(table.total)
        }
        return DirectorSample(t: t, reals: reals, gauges: gauges)
    }
}
