import Collector
import Foundation
import Lab
import Results
import SystemKit
import Vocabulary

/// `port-reuse`: a client that opens many short connections from one address through a
/// narrow ephemeral range, so every source port comes back within a second or so while the
/// director still holds an entry for it. `conn_reuse_mode` (0, 1, 3) and IPVS `conntrack`
/// decide whether such a SYN is scheduled afresh or rides the old entry to the old real;
/// one real is set to weight 0 mid-run to see where the riders go (kubernetes#81775), and
/// the client's SYN retransmissions show the ~1 s delays of kubernetes#70747.
public struct PortReuse: ScenarioDefinition {
    public init() {}

    public let name = "port-reuse"
    public let summary = "a client reuses source ports fast; conn_reuse_mode 0/1/3, conntrack 0/1, a real set to weight 0 mid-run, NAT and DR"
    public let question = "When a client reuses source ports faster than the director forgets them (many short "
        + "connections from few addresses), which conn_reuse_mode and conntrack setting reschedules the new "
        + "connections, does any of them delay SYNs by ~1 s (kubernetes#70747), does a real set to weight 0 keep "
        + "getting the reused ports (kubernetes#81775), and how many connections does a DR director fail to count?"

    /// The client's ephemeral range: 100 ports, so at the default rate every port comes back
    /// about every 1.25 s, long before any IPVS entry for it expires.
    static let portRange = (first: 40000, last: 40099)
    static var portCount: Int { portRange.last - portRange.first + 1 }
    /// The real set to weight 0.
    static let quiescedReal = 2
    /// IPVS folds its per-CPU counters into the totals `ipvsadm --stats` shows every 2 s.
    static let estimatorSeconds = 2.0
    /// How long the last step waits past its start: the load's last half second plus more
    /// than one estimator period, so the director's last samples hold every connection.
    static let settleSeconds = 3.5

    /// One base variant: the forwarding mode (nil: the user's or NAT) and the two sysctls.
    struct Base {
        var name: String
        var mode: LabMode?
        var reuseMode: Int
        var conntrack: Bool

        var description: String {
            let where_ = mode == .dr ? "DR director" : "director"
            return "\(where_) with conn_reuse_mode=\(reuseMode), conntrack=\(conntrack ? 1 : 0); real\(PortReuse.quiescedReal) set to weight 0 mid-run."
        }
    }

    static let bases: [Base] = [
        Base(name: "mode-0", mode: nil, reuseMode: 0, conntrack: false),
        Base(name: "mode-1", mode: nil, reuseMode: 1, conntrack: false),
        Base(name: "mode-3", mode: nil, reuseMode: 3, conntrack: false),
        Base(name: "mode-0-conntrack", mode: nil, reuseMode: 0, conntrack: true),
        Base(name: "mode-1-conntrack", mode: nil, reuseMode: 1, conntrack: true),
        Base(name: "mode-3-conntrack", mode: nil, reuseMode: 3, conntrack: true),
        Base(name: "dr-mode-1", mode: .dr, reuseMode: 1, conntrack: false),
        Base(name: "dr-mode-3", mode: .dr, reuseMode: 3, conntrack: false),
    ]

    public var variantNames: [String] { Self.bases.map(\.name) }

    static let defaults = ScenarioDefaults(mode: .nat, reals: 3, loads: [.httpClose], rate: 80, connections: 20,
                                           duration: 10, faultAt: 3, interval: 0.25, timeout: 3)

    public func variants(_ options: ScenarioOptions) throws -> [VariantPlan] {
        let d = try Self.defaults.merged(options)
        guard d.reals >= Self.quiescedReal else {
            throw InvalidInput("--reals \(d.reals): port-reuse needs at least \(Self.quiescedReal) reals (one is set to weight 0)")
        }
        if let kind = d.loads.first(where: { $0 != .httpClose && $0 != .tcpCRR }) {
            throw InvalidInput("--load \(kind.rawValue): port-reuse needs a new connection per request: give http-close or tcp-crr")
        }
        let settleAt = d.duration - 0.5
        guard d.faultAt < settleAt else {
            throw InvalidInput("--fault-at \(d.faultAt) s leaves no load after the weight change: give a time before \(settleAt) s")
        }
        let wanted = try options.selected(from: self)
        return Self.bases.filter { wanted.contains($0.name) }.flatMap { base in
            d.loads.map { kind in plan(base, kind: kind, defaults: d, settleAt: settleAt) }
        }
    }

    func plan(_ base: Base, kind: LoadKind, defaults d: ScenarioDefaults, settleAt: Double) -> VariantPlan {
        let range = "\(Self.portRange.first) \(Self.portRange.last)"
        let prepare = [
            ScenarioStep("net.ipv4.vs.conn_reuse_mode=\(base.reuseMode)") {
                try $0.setDirectorSysctl("net.ipv4.vs.conn_reuse_mode", "\(base.reuseMode)")
            },
            ScenarioStep("net.ipv4.vs.conntrack=\(base.conntrack ? 1 : 0)") {
                try $0.setDirectorSysctl("net.ipv4.vs.conntrack", base.conntrack ? "1" : "0")
            },
            ScenarioStep("connection tracking \(base.conntrack ? "on" : "off") in the director") { lab in
                base.conntrack ? try PortReuseConntrack.enable(on: lab.director) : "no netfilter rule: nothing tracked"
            },
            ScenarioStep("ip_local_port_range \(range)") { try $0.setClientSysctl("net.ipv4.ip_local_port_range", range) },
            ScenarioStep("net.ipv4.tcp_tw_reuse=1") { try $0.setClientSysctl("net.ipv4.tcp_tw_reuse", "1") },
            ScenarioStep("zero IPVS's counters") { lab in
                // The lab's own checks must be folded in first, or they land after the zero.
                Thread.sleep(forTimeInterval: Self.estimatorSeconds + 0.2)
                try lab.director.check(["ipvsadm", "-Z"])
                return "after \(Self.estimatorSeconds + 0.2) s, so the lab's own check connections are not counted"
            },
        ]
        let weightZero = ScenarioStep("set its weight to 0") { try $0.setWeight(real: $0.targetReal(), weight: 0) }
        let settle = ScenarioStep("wait for the final counts") { _ in
            Thread.sleep(forTimeInterval: Self.settleSeconds)
            return "waited \(Self.settleSeconds) s past the load's last half second: IPVS's counters fold every "
                + "\(Int(Self.estimatorSeconds)) s, so the director's last samples hold every connection"
        }
        return VariantPlan(name: "\(base.name)/\(kind.rawValue)", description: base.description,
                           lab: LabShape(mode: base.mode ?? d.mode, reals: d.reals, scheduler: .rr),
                           load: d.load(kind), prepare: prepare,
                           events: [TimedStep(at: d.faultAt, [weightZero]), TimedStep(at: settleAt, [settle])],
                           target: .real(Self.quiescedReal), sampleEvery: 0.5, readsTable: true,
                           gauges: { lab in try PortReuseGauges.read(lab) })
    }

    public func findings(_ measured: [ScenarioVariant]) -> [ScenarioFinding] {
        let figures = measured.map(PortReuseFigures.init)
        return [PortReuseFindings.rescheduling(figures), PortReuseFindings.synDelays(figures),
                PortReuseFindings.quiescedReal(figures), PortReuseFindings.directRouting(figures)]
    }
}

/// The scenario's own gauges, read with every director sample: the client's SYN
/// retransmissions (each is a connection that waited at least the initial RTO, 1 s) and the
/// director's conntrack entries (whether `conntrack=1` tracks anything at all).
enum PortReuseGauges {
    static let synRetrans = "client_syn_retrans"
    static let conntrackEntries = "director_conntrack_entries"
    static let conntrackCount = "/proc/sys/net/netfilter/nf_conntrack_count"

    static func read(_ lab: ScenarioLab) throws -> [String: Double] {
        var gauges: [String: Double] = [:]
        let netstat = try SNMPCounters.parse(lab.client.readFile("/proc/net/netstat"), source: "/proc/net/netstat")
        if let retrans = netstat["TcpExt.TCPSynRetrans"] { gauges[synRetrans] = Double(retrans) }
        if let count = try lab.director.readFiles([conntrackCount])[conntrackCount],
           let value = Double(count.trimmingCharacters(in: .whitespacesAndNewlines)) {
            gauges[conntrackEntries] = value
        }
        return gauges
    }
}

/// Connection tracking that actually tracks. `net.ipv4.vs.conntrack=1` only tells IPVS to
/// keep conntrack entries in step with its own; the kernel tracks nothing until something
/// registers conntrack in the namespace (IPVS itself does only for FTP). A kubernetes node
/// has kube-proxy's iptables rules, which do: so does this, with one rule that matches on
/// conntrack state and does nothing else (it only counts). A UML guest loads modules only
/// with `modprobe -d`, through a module root in its own tmpfs /tmp.
enum PortReuseConntrack {
    static let script = """
        set -e
        r=$(uname -r); d=/usr/lib/uml/modules/$r
        if [ -d "$d" ]; then
          mkdir -p /tmp/lvsbench-modroot/lib/modules && ln -sfn "$d" /tmp/lvsbench-modroot/lib/modules/$r
          modprobe -d /tmp/lvsbench-modroot -a iptable_filter xt_conntrack
        else
          modprobe -a iptable_filter xt_conntrack
        fi
        iptables-legacy -A INPUT -m conntrack --ctstate NEW
        """

    static func enable(on director: any LabNode) throws -> String {
        try director.check(["sh", "-c", script])
        return "iptables-legacy -A INPUT -m conntrack --ctstate NEW (a counting rule) makes the kernel track connections"
    }
}
