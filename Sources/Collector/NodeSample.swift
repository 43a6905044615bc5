import Balancing
import Foundation
import IPVSControl
import Lab
import SystemKit

/// Turns the text of `ipvsadm -Ln --stats --exact` into per-real counters. The default is
/// `IPVSStatsListing.realCounters(parsing:)`; passing nil skips that listing, one ipvsadm
/// run less per sample, and per-real totals are then not sampled.
public typealias RealCountersParser = @Sendable (String) throws -> [RealReading]

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
    /// Wall time the read of this node took, seconds: the collector's own cost, which in a
    /// UML director comes out of the CPU that forwards the traffic.
    public var readSeconds: Double?

    public init(node: String, role: NodeRole) {
        self.node = node
        self.role = role
    }
}
