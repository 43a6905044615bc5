import Foundation
import IPVSControl
import Keepalived
import Lab
import SystemKit

/// The two directors of a failover variant as keepalived and IPVS see them: one VRRP
/// instance that director1 (priority 150) holds and director2 (100) takes over, the VIP
/// owned by VRRP alone, and IPVS connection synchronisation between them when asked. Every
/// daemon runs inside the guests: director1's die in its crash, director2's with the lab.
struct DirectorFailoverPair {
    /// How the backup learns the master's connections.
    enum Sync: Equatable, Sendable {
        /// Not at all: the backup's table is empty when it takes over.
        case off
        /// `ipvsadm --start-daemon master` on director1, `backup` on director2.
        case ipvsadm
        /// keepalived's `lvs_sync_daemon`: each director's sync role follows its VRRP state.
        case keepalived
    }

    static let instance = "VI_LVS"
    static let routerID = 51
    static let advertInterval = 1
    static let priorities = (active: 150, standby: 100)
    /// VRRP's master-down interval on the backup: three missed adverts plus the skew its
    /// priority gives (RFC 3768: (256 - priority) / 256 s), the least time a crash can cost.
    static var masterDown: Double {
        Double(3 * advertInterval) + Double(256 - priorities.standby) / 256
    }

    var sync: Sync

    /// Director `node`'s interface on the reals' LAN, where the VIP, VRRP and the sync
    /// traffic live, and its own address there: the node's only address in that net.
    static func lanInterface(of node: any LabNode) throws -> (name: String, address: String) {
        let out = try node.check(["ip", "-o", "-4", "addr", "show", "to", Topology.realsNet + ".0/24"]).stdout
        for line in out.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 4, f[2] == "inet", !f[3].hasSuffix("/32") else { continue }
            return (String(f[1]), String(f[3].split(separator: "/")[0]))
        }
        throw RuntimeFailure("\(node.name) has no address in \(Topology.realsNet).0/24: the failover needs both directors on the reals' LAN (DR)")
    }

    static func standby(_ lab: ScenarioLab) throws -> any LabNode {
        guard let standby = lab.lab.standby else {
            throw RuntimeFailure("this variant's lab has no director2: build it with two directors")
        }
        return standby
    }

    /// Hands the VIP to VRRP and starts the sync daemons: director1's static VIP is removed,
    /// director1's keepalived takes it back as MASTER, then director2's keepalived must settle
    /// as BACKUP (its log says so, it holds no VIP). Returns the detail for the report.
    func start(_ lab: ScenarioLab) throws -> String {
        let active = lab.director, standby = try Self.standby(lab)
        let a = try Self.lanInterface(of: active), s = try Self.lanInterface(of: standby)
        let vip = lab.lab.vip
        if case .ipvsadm = sync {
            try active.check(Self.startSyncDaemon("master", interface: a.name))
            try standby.check(Self.startSyncDaemon("backup", interface: s.name))
        }
        try active.check(["ip", "addr", "del", "\(vip)/32", "dev", a.name])
        _ = try KeepalivedDaemon.start(config(lan: a, peer: s.address, vip: vip, master: true), on: active, in: lab.lab)
        try Self.poll(within: 10, "\(active.name) did not take the VIP \(vip) as VRRP master within 10 s") {
            try Self.holdsVIP(active, vip: vip)
        }
        let backup = try KeepalivedDaemon.start(config(lan: s, peer: a.address, vip: vip, master: false), on: standby, in: lab.lab)
        try Self.poll(within: 10, "\(standby.name)'s keepalived did not enter BACKUP within 10 s") {
            try backup.log().contains("Entering BACKUP STATE")
        }
        guard try !Self.holdsVIP(standby, vip: vip) else {
            throw RuntimeFailure("\(standby.name) holds the VIP \(vip) while director1 is master: VRRP adverts do not reach it")
        }
        let daemons = try syncDaemons(active: active, standby: standby)
        return "VRRP \(Self.instance) (id \(Self.routerID), advert \(Self.advertInterval) s): director1 MASTER "
            + "priority \(Self.priorities.active), director2 BACKUP \(Self.priorities.standby), VIP \(vip) on \(a.name); " + daemons
    }

    func config(lan: (name: String, address: String), peer: String, vip: String, master: Bool) -> KeepalivedConfig {
        let instance = VRRPInstance(name: Self.instance, state: master ? .master : .backup, interface: lan.name,
                                    virtualRouterID: Self.routerID,
                                    priority: master ? Self.priorities.active : Self.priorities.standby,
                                    advertInterval: Self.advertInterval,
                                    virtualAddresses: [.init(address: "\(vip)/32", device: lan.name)],
                                    unicastSource: lan.address, unicastPeers: [peer])
        return KeepalivedConfig(routerID: master ? "director1" : "director2",
                                syncDaemon: sync == .keepalived ? .init(interface: lan.name, instance: Self.instance) : nil,
                                vrrpInstances: [instance])
    }

    /// The sync daemons each director runs (`ipvsadm -L --daemon`), checked against what the
    /// variant wants: a variant that meant to sync and does not would measure nothing.
    func syncDaemons(active: any LabNode, standby: any LabNode) throws -> String {
        var roles: [String] = []
        for (node, want) in [(active, "master"), (standby, "backup")] {
            var listing = ""
            try Self.poll(within: 5, "\(node.name) runs no IPVS \(want) sync daemon (ipvsadm -L --daemon: '\(listing)')") {
                listing = try node.check(["ipvsadm", "-L", "--daemon"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                return sync == .off || listing.contains("\(want) sync daemon")
            }
            guard sync != .off || listing.isEmpty else {
                throw RuntimeFailure("\(node.name) runs an IPVS sync daemon in a variant without sync: '\(listing)'")
            }
            roles.append("\(node.name): \(listing.isEmpty ? "no sync daemon" : listing)")
        }
        return roles.joined(separator: "; ")
    }

    /// `ipvsadm --start-daemon ROLE`: the kernel's sync thread, multicasting (master) or
    /// receiving (backup) connection updates on `interface`, sync id = the VRRP router id.
    static func startSyncDaemon(_ role: String, interface: String) -> [String] {
        ["ipvsadm", "--start-daemon", role, "--mcast-interface", interface, "--syncid", String(routerID)]
    }

    static func holdsVIP(_ node: any LabNode, vip: String) throws -> Bool {
        try node.check(["ip", "-o", "-4", "addr", "show"]).stdout.contains(" \(vip)/32 ")
    }

    static func poll(within limit: Double, _ failure: @autoclosure () -> String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if try condition() { return }
            usleep(100_000)
        }
        throw RuntimeFailure(failure())
    }

    /// The crash: director1's guest killed from the host.
    static func crash(_ lab: ScenarioLab) throws -> String {
        let pid = try lab.lab.crashGuest(lab.director.name)
        return "director1's guest (pid \(pid)) killed with SIGKILL: a crash, nothing in it says goodbye"
    }

    /// director2's view, read with every sample: its connection table's entries (synced ones
    /// included) and whether it holds the VIP.
    static func standbyGauges(_ lab: ScenarioLab) throws -> [String: Double] {
        let standby = try standby(lab)
        let separator = DirectorProbe.separator
        let out = try standby.check(["sh", "-c", "awk '\(IPVSConnTable.summaryAWK)' \(IPVSConnTable.source); echo \(separator); "
                                     + "ip -o -4 addr show"], timeout: 10).stdout
        let parts = out.components(separatedBy: separator + "\n")
        guard parts.count == 2 else { throw RuntimeFailure("director2's reading came back cut: \(out.prefix(80))") }
        let table = try IPVSConnTable(parsingSummary: parts[0])
        return [Self.standbyEntries: Double(table.total),
                Self.standbyHoldsVIP: parts[1].contains(" \(lab.lab.vip)/32 ") ? 1 : 0]
    }

    static let standbyEntries = "director2_entries"
    static let standbyHoldsVIP = "director2_vip"
}
