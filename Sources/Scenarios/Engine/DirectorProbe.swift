import Balancing
import Foundation
import IPVSControl
import Lab
import Results
import SystemKit

/// Reads the director's view of the reals in one command on the director (one agent call
/// for a guest): IPVS's per-real counters (connections scheduled), its listing (active and
/// inactive connections) and, when asked, the connection table counted per real, which
/// still shows entries of a real that was removed from the service.
struct DirectorProbe {
    var director: any LabNode
    var readsTable: Bool

    static let separator = "@@lvsbench@@"

    var command: [String] {
        var script = "ipvsadm -Ln --stats --exact; echo \(Self.separator); ipvsadm -Ln"
        if readsTable { script += "; echo \(Self.separator); awk '\(IPVSConnTable.summaryAWK)' \(IPVSConnTable.source)" }
        return ["sh", "-c", script]
    }

    /// One sample, stamped with `t` by the caller's clock.
    func sample(at t: Double) throws -> DirectorSample {
        let out = try director.check(command, timeout: 10).stdout
        return try Self.parse(out, t: t)
    }

    /// Per real address, summed over the services (the lab's HTTP and TCP services share
    /// their reals).
    static func parse(_ text: String, t: Double) throws -> DirectorSample {
        let parts = text.components(separatedBy: separator + "\n")
        guard parts.count >= 2 else { throw RuntimeFailure("the director's IPVS listing came back cut: \(text.prefix(80))") }
        var reals: [String: DirectorSample.RealGauge] = [:]
        for service in try IPVSStatsListing.parse(parts[0]).services {
            for real in service.reals {
                reals[real.address, default: .init()].scheduled = (reals[real.address]?.scheduled ?? 0) + real.counters.conns
            }
        }
        for service in try IPVSListing.parse(parts[1]).services {
            for real in service.reals {
                var gauge = reals[real.address, default: .init()]
                gauge.active = (gauge.active ?? 0) + UInt64(real.activeConnections)
                gauge.inactive = (gauge.inactive ?? 0) + UInt64(real.inactiveConnections)
                reals[real.address] = gauge
            }
        }
        var gauges: [String: Double] = [:]
        if parts.count >= 3 {
            let table = try IPVSConnTable(parsingSummary: parts[2])
            for (endpoint, count) in table.byReal {
                let address = String(endpoint[..<(endpoint.lastIndex(of: ":") ?? endpoint.endIndex)])
                reals[address, default: .init()].tableEntries = (reals[address]?.tableEntries ?? 0) + count
            }
            gauges["table_entries"] = Double(table.total)
        }
        return DirectorSample(t: t, reals: reals, gauges: gauges)
    }
}
