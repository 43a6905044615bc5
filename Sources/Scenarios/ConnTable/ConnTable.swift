import Balancing
import Foundation
import Results
import SystemKit
import Vocabulary

/// `conn-table`: a steady, high rate of new connections (the kube-router #544 pattern, `ab`
/// hammering a service) fills IPVS's connection table with the entries closed connections
/// leave behind. Measured per `ipvsadm --set` timeouts (the LVS tutorial's `30 5 60` against
/// the kernel's `900 120 300`) in NAT and in DR, where the director sees different states:
/// the table's size over time, the director's memory, and whether new connections fail.
public struct ConnTable: ScenarioDefinition {
    public init() {}

    public let name = "conn-table"
    public let summary = "new-connection load fills the IPVS connection table; ipvsadm --set 30 5 60 against the defaults, NAT and DR"
    public let question = "How large does IPVS's connection table grow under a steady high rate of new connections, "
        + "how much does the LVS tutorial's `ipvsadm --set 30 5 60` shrink it against the defaults 900 120 300 (in NAT and "
        + "in DR), what does it cost the director's memory, and do new connections start failing? The load is one open-loop "
        + "rate from start to end: a table fills from the rate times the entries' lifetime, so a steady rate shows the same "
        + "growth as bursts without timing them. The first event is a census of the table by state 1 s into the load: the "
        + "'before' columns are that first second with an empty table, the 'after' ones (lost, p99 during, recovery) cover "
        + "the fill up to the last census, 1 s before the load ends. The table sizes, memory and states are in the findings."

    /// One `ipvsadm --set` setting.
    struct Setting {
        var name: String
        var description: String
        var timeouts: ConnectionTimeouts
    }

    static let settings: [Setting] = [
        Setting(name: "defaults", description: "The kernel's timeouts: ipvsadm --set 900 120 300 (tcp, tcpfin, udp).",
                timeouts: ConnectionTimeouts(tcp: 900, tcpFin: 120, udp: 300)),
        Setting(name: "tutorial", description: "The LVS tutorial's short timeouts: ipvsadm --set 30 5 60.",
                timeouts: ConnectionTimeouts(tcp: 30, tcpFin: 5, udp: 60)),
    ]

    /// Where the director sees both directions (NAT) and where only the client's (DR).
    static let modes: [LabMode] = [.nat, .dr]

    /// The client's port range, widened from Linux's 28,232 ports so that one client address
    /// stands for more clients before its own ports, not the director, bound the table.
    static let clientPortRange = 1024...65535
    static var clientPorts: String { "\(clientPortRange.lowerBound) \(clientPortRange.upperBound)" }

    static let defaults = ScenarioDefaults(mode: .nat, reals: 2, loads: [.tcpCRR], rate: 2000, connections: 200,
                                           duration: 45, faultAt: 1, interval: 0.5, timeout: 1)

    /// Seconds before the load's end of the last census.
    static let lastCensusBeforeEnd = 1.0

    public var variantNames: [String] { Self.settings.map(\.name) }

    public func variants(_ options: ScenarioOptions) throws -> [VariantPlan] {
        let d = try Self.defaults.merged(options)
        let wanted = try options.selected(from: self)
        let last = d.duration - Self.lastCensusBeforeEnd
        guard last > d.faultAt else {
            throw InvalidInput("--fault-at \(d.faultAt) s leaves no fill before the last census at \(last) s: give an earlier --fault-at or a longer --duration")
        }
        let modes = options.mode.map { [$0] } ?? Self.modes
        return modes.flatMap { mode in
            Self.settings.filter { wanted.contains($0.name) }.flatMap { setting in
                d.loads.map { kind in plan(setting, mode: mode, kind: kind, defaults: d, lastCensus: last) }
            }
        }
    }

    func plan(_ setting: Setting, mode: LabMode, kind: LoadKind, defaults d: ScenarioDefaults, lastCensus: Double) -> VariantPlan {
        let census = ScenarioStep("count the table by state") { try ConnTableCensus.take(on: $0.director).description }
        let timeouts = setting.timeouts
        return VariantPlan(
            name: "\(setting.name)/\(mode.rawValue)/\(kind.rawValue)", description: setting.description,
            lab: LabShape(mode: mode, reals: d.reals),
            load: d.load(kind),
            prepare: [ScenarioStep("ipvsadm --set \(timeouts)") { try $0.setTimeouts(timeouts) },
                      ScenarioStep("client port range \(Self.clientPorts)") {
                          try $0.setClientSysctl("net.ipv4.ip_local_port_range", Self.clientPorts)
                      }],
            events: [TimedStep(at: d.faultAt, [census]), TimedStep(at: lastCensus, [census])],
            sampleEvery: 1, readsTable: false,
            gauges: { try ConnTableGauges.read($0.director) })
    }
}
