import Balancing
import Foundation
import IPVSControl

/// The director's IPVS state at one instant.
public struct IPVSSample: Codable, Equatable, Sendable {
    public var stats: IPVSProcStats
    public var table: IPVSProcTable
    /// The connection table counted by state; nil in samples that skipped it (it is read
    /// about every 5 s, like the timeouts: the table can be megabytes).
    public var connections: IPVSConnTable?
    public var timeouts: ConnectionTimeouts?
    /// Every real's cumulative counters, with its ActiveConn and InActConn from `table`: on
    /// a UML director from the IPVS netlink family inside the guest agent, elsewhere from
    /// `ipvsadm -Ln --stats --exact` (/proc has no per-real totals). samples.jsonl files
    /// the counters under `RealReading.key`; the entries are in `table` there.
    public var reals: [RealReading]

    public init(stats: IPVSProcStats, table: IPVSProcTable, connections: IPVSConnTable?,
                timeouts: ConnectionTimeouts?, reals: [RealReading]) {
        self.stats = stats
        self.table = table
        self.connections = connections
        self.timeouts = timeouts
        self.reals = Self.withEntries(reals, from: table)
    }

    /// `reals` with each one's ActiveConn and InActConn as `table` shows them. Services are
    /// looked up by key (the first of a key, as listed), not searched for each real: a
    /// director with 10,000 services (`lvsbench scale`) has 20,000 reals to match per sample.
    static func withEntries(_ reals: [RealReading], from table: IPVSProcTable) -> [RealReading] {
        let services = Dictionary(table.services.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        return reals.map { reading in
            var r = reading
            let service = services["\(r.proto) \(r.service.endpoint)"]
            if let real = service?.reals.first(where: { $0.address == "\(r.address):\(r.port)" }) {
                r.activeEntries = real.activeConns
                r.inactiveEntries = real.inactiveConns
            }
            return r
        }
    }

    enum CodingKeys: String, CodingKey {
        case stats, table, connections, timeouts, reals
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let keyed = try c.decode([String: BalancerCounters].self, forKey: .reals)
        guard let reals = [RealReading](keyed: keyed) else {
            throw DecodingError.dataCorruptedError(forKey: .reals, in: c,
                                                   debugDescription: "a real not keyed 'PROTO ADDRESS:PORT -> ADDRESS:PORT'")
        }
        self.init(stats: try c.decode(IPVSProcStats.self, forKey: .stats), table: try c.decode(IPVSProcTable.self, forKey: .table),
                  connections: try c.decodeIfPresent(IPVSConnTable.self, forKey: .connections),
                  timeouts: try c.decodeIfPresent(ConnectionTimeouts.self, forKey: .timeouts), reals: reals)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stats, forKey: .stats)
        try c.encode(table, forKey: .table)
        try c.encodeIfPresent(connections, forKey: .connections)
        try c.encodeIfPresent(timeouts, forKey: .timeouts)
        try c.encode(reals.keyed, forKey: .reals)
    }
}
