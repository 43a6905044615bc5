import Foundation
import Results
import SystemKit
import Vocabulary

/// `director-failover`: two directors share the VIP through keepalived's VRRP, and the active
/// one crashes under long-lived keep-alive connections, with IPVS connection synchronisation
/// off, run by `ipvsadm --start-daemon`, or run by keepalived's `lvs_sync_daemon`. DR only:
/// the VIP is the one address that moves; in NAT the reals' gateway (the DIP) would have to
/// move with it.
public struct DirectorFailover: ScenarioDefinition {
    public init() {}

    public let name = "director-failover"
    public let tools = ["keepalived"]
    public let summary = "the active one of two VRRP directors crashes under keep-alive load; IPVS connection sync off or on"
    public let question = "When the active director crashes and keepalived's VRRP moves the VIP to the backup, how long "
        + "is the service gone, and do established connections survive? With IPVS connection synchronisation the backup "
        + "should already hold their entries and carry them on; without it the backup has none, does not schedule a "
        + "packet that is not a SYN (sloppy_tcp=0), answers it with a reset, and the connection breaks. DR mode: the VIP "
        + "is on the reals' LAN and is the only address that moves (NAT would need the DIP moved as well). Requests "
        + "time out only after \(Int(Self.requestTimeout)) s, longer than the takeover, so a connection that survives "
        + "shows as a stall, not a failure."

    /// Each variant: how (and whether) the backup learns the master's connections.
    struct Base {
        var name: String
        var description: String
        var sync: DirectorFailoverPair.Sync
    }

    static let bases: [Base] = [
        Base(name: "sync-off", description: "No connection synchronisation: the backup's table is empty when it takes over.",
             sync: .off),
        Base(name: "sync-on", description: "ipvsadm --start-daemon master on director1 and backup on director2 (sync id \(DirectorFailoverPair.routerID)).",
             sync: .ipvsadm),
        Base(name: "sync-keepalived", description: "keepalived's lvs_sync_daemon on the VRRP instance: each director's sync role follows its VRRP state.",
             sync: .keepalived),
    ]

    /// The kernel's sync master thread holds entries in a buffer until it is full or
    /// `IPVS_SYNC_FLUSH_TIME` (2 s) old, which it checks every `IPVS_SYNC_CHECK_PERIOD` (1 s):
    /// the backup learns a connection up to 3 s after its third packet.
    static let syncFlush = 2.0, syncCheck = 1.0
    static var syncSendDelay: Double { syncFlush + syncCheck }
    /// The earliest crash that leaves the sync thread time to send the entries of the
    /// connections opened when the load started, with a second's margin for a slow guest.
    static var earliestSyncedCrash: Double { syncSendDelay + 1 }

    /// Longer than VRRP's takeover plus TCP's retransmission back-off (a request sent at the
    /// crash is retransmitted 3.0 s and 6.2 s later): a stalled request still completes.
    static let requestTimeout = 10.0

    static let defaults = ScenarioDefaults(mode: .dr, reals: 2, loads: [.http], rate: 200, connections: 40, duration: 16,
                                           faultAt: 5, interval: 0.25, timeout: requestTimeout)

    public var variantNames: [String] { Self.bases.map(\.name) }

    public func variants(_ options: ScenarioOptions) throws -> [VariantPlan] {
        let d = try Self.defaults.merged(options)
        guard d.mode == .dr || d.mode == .tun else {
            throw InvalidInput("--mode \(d.mode.rawValue): director-failover runs in dr or tun, where the VIP is the only "
                               + "address that moves; in nat the reals' gateway (the DIP) would have to move with it")
        }
        if let closing = d.loads.first(where: { $0 == .httpClose || $0 == .tcpCRR }) {
            throw InvalidInput("--load \(closing.rawValue) opens a connection per request: director-failover measures "
                               + "long-lived connections, give http or tcp-rr")
        }
        let wanted = try options.selected(from: self)
        if Self.bases.contains(where: { wanted.contains($0.name) && $0.sync != .off }), d.faultAt < Self.earliestSyncedCrash {
            let defaultNote = options.faultAt == nil ? String(format: " (the default: a third of --duration %.0fs)", d.duration) : ""
            throw InvalidInput(String(format: "--fault-at %.2g s", d.faultAt) + defaultNote + " is too early for a sync variant: "
                               + String(format: "director1's sync thread sends a new connection's entry up to %.0f s after it "
                                        + "opens (a %.0f s flush checked every %.0f s), so an earlier crash measures that "
                                        + "timer, not sync; give --fault-at %.0fs or later", Self.syncSendDelay, Self.syncFlush,
                                        Self.syncCheck, Self.earliestSyncedCrash))
        }
        return Self.bases.filter { wanted.contains($0.name) }.flatMap { base in
            d.loads.map { kind in plan(base, kind: kind, defaults: d) }
        }
    }

    func plan(_ base: Base, kind: LoadKind, defaults d: ScenarioDefaults) -> VariantPlan {
        let pair = DirectorFailoverPair(sync: base.sync)
        let prepare = [
            ScenarioStep("sloppy_tcp=0 on director2 (the kernel's default: only a SYN creates an entry)") { lab in
                try ScenarioLab.setSysctl("net.ipv4.vs.sloppy_tcp", "0", on: try DirectorFailoverPair.standby(lab))
                return ""
            },
            ScenarioStep("keepalived VRRP on both directors, the VIP owned by VRRP") { try pair.start($0) },
        ]
        return VariantPlan(name: "\(base.name)/\(kind.rawValue)", description: base.description,
                           lab: LabShape(mode: d.mode, reals: d.reals, scheduler: .rr, directors: 2),
                           load: d.load(kind), prepare: prepare,
                           events: [TimedStep(at: d.faultAt, [ScenarioStep("crash director1") { try DirectorFailoverPair.crash($0) }])],
                           gauges: { try DirectorFailoverPair.standbyGauges($0) })
    }

    public func findings(_ measured: [ScenarioVariant]) -> [ScenarioFinding] {
        [survival(measured), backupTable(measured), gap(measured)]
    }

    static func runs(_ name: String, in measured: [ScenarioVariant]) -> [ScenarioVariant] {
        measured.filter { $0.name.split(separator: "/").first.map(String.init) == name }
    }

    static func load(of v: ScenarioVariant) -> Substring { v.name.split(separator: "/").last ?? "" }

    /// Connection slots that never saw a transport failure: the connections that lived
    /// through the crash.
    static func survivors(_ v: ScenarioVariant) -> Int? {
        v.metrics.brokenConnections.map { v.metrics.connections - Int(min($0, UInt64(v.metrics.connections))) }
    }

    /// director2's table entries in the last sample before the crash.
    static func standbyEntriesBefore(_ v: ScenarioVariant) -> Int? {
        guard let fault = v.metrics.faultT else { return nil }
        return v.director.last { $0.t < fault && $0.gauges[DirectorFailoverPair.standbyEntries] != nil }
            .flatMap { $0.gauges[DirectorFailoverPair.standbyEntries] }.map { Int($0) }
    }

    /// Seconds from the crash to the first interval with responses again, after the first
    /// interval (wholly after the crash) without any; 0 when no interval after the crash went
    /// silent; nil when responses never came back.
    static func serviceGap(_ v: ScenarioVariant) -> Double? {
        guard let fault = v.metrics.faultT else { return nil }
        let after = v.client.filter { $0.t >= fault }
        guard let silent = after.firstIndex(where: { $0.ok == 0 }) else { return 0 }
        return after[silent...].first { $0.ok > 0 }.map { $0.t - fault }
    }

    /// The worst interval p99 from the crash to the end: the stall of the requests a
    /// surviving connection had in flight shows here.
    static func worstP99AfterCrash(_ v: ScenarioVariant) -> Double? {
        guard let fault = v.metrics.faultT else { return nil }
        return v.client.filter { $0.t >= fault }.compactMap(\.p99US).max()
    }

    static func describe(_ v: ScenarioVariant) -> String {
        let survived = survivors(v).map { "\($0) of \(v.metrics.connections)" } ?? "?"
        let gap = serviceGap(v).map { String(format: "%.2f s", $0) } ?? "no responses again"
        let p99 = worstP99AfterCrash(v).map { String(format: "%.0f ms", $0 / 1000) } ?? "?"
        let recovered = v.metrics.recoverySeconds.map { String(format: "full throughput without loss after %.2f s", $0) }
            ?? "not recovered"
        return "\(v.name): \(survived) connections survived, director2 held \(standbyEntriesBefore(v).map(String.init) ?? "?") "
            + "entries before the crash, service gap \(gap), worst p99 after the crash \(p99) (stalled requests), "
            + "\(v.metrics.failedAfterFault) failed and "
            + "\(v.metrics.timedOutAfterFault) timed-out requests, \(recovered)"
    }

    func survival(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "With IPVS connection synchronisation, more established connections survive the director's crash than without it."
        let off = Self.runs("sync-off", in: measured)
        let on = Self.runs("sync-on", in: measured) + Self.runs("sync-keepalived", in: measured)
        let pairs = on.flatMap { s in off.filter { Self.load(of: $0) == Self.load(of: s) }.map { (s, $0) } }
        guard !pairs.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(needs sync-off and a sync variant under the same load)")
        }
        let holds = pairs.allSatisfy { s, o in (Self.survivors(s) ?? 0) > (Self.survivors(o) ?? Int.max) }
        let evidence = (off + on).map(Self.describe).joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence + ".")
    }

    func backupTable(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let claim = "Before the crash the backup holds entries for the established connections only with synchronisation; "
            + "without it its table is empty, so it has nothing to forward their next packets by."
        let off = Self.runs("sync-off", in: measured)
        let on = Self.runs("sync-on", in: measured) + Self.runs("sync-keepalived", in: measured)
        guard !off.isEmpty, !on.isEmpty else {
            return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(needs sync-off and a sync variant)")
        }
        let holds = off.allSatisfy { Self.standbyEntriesBefore($0) == 0 }
            && on.allSatisfy { (Self.standbyEntriesBefore($0) ?? 0) > 0 }
        let evidence = (off + on).map { v in
            "\(v.name): \(Self.standbyEntriesBefore(v).map(String.init) ?? "?") entries on director2, "
                + "\(v.metrics.connections) connections open"
        }.joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence + ".")
    }

    func gap(_ measured: [ScenarioVariant]) -> ScenarioFinding {
        let down = DirectorFailoverPair.masterDown, advert = Double(DirectorFailoverPair.advertInterval)
        let resumes = Self.resumptions(takeover: (down - advert)...down)
        let latest = (resumes.last ?? down) + Self.requestSpread
        let times = resumes.map { String(format: "%.1f", $0) }.joined(separator: " or ")
        let claim = String(format: "Nothing answers until VRRP's backup takes the VIP, %.2f s (3 × advert_int + skew) after the "
                           + "last advert it heard: %.2f to %.2f s after the crash. ", down, down - advert, down)
            + "A stalled connection then resumes (or, without sync, is reset) only at its next TCP retransmission, "
            + "\(times) s after its request (200 ms minimum RTO, doubling), so the gap lasts "
            + String(format: "%.2f to %.2f s, with sync or without.", down - advert, latest)
        guard !measured.isEmpty else { return ScenarioFinding(claim: claim, verdict: .notMeasured, evidence: "(no variant ran)") }
        // An interval's start is up to one interval before its first response.
        let interval = measured.map(\.intervalSeconds).max() ?? 0
        let holds = measured.allSatisfy { v in
            Self.serviceGap(v).map { $0 >= down - advert - interval && $0 <= latest + interval } ?? false
        }
        let evidence = measured.map { v in
            "\(v.name): gap \(Self.serviceGap(v).map { String(format: "%.2f s", $0) } ?? "not closed within the run"), "
                + (v.metrics.recoverySeconds.map { String(format: "full throughput without loss after %.2f s", $0) } ?? "not recovered")
        }.joined(separator: "; ")
        return ScenarioFinding(claim: claim, verdict: holds ? .shown : .refuted, evidence: evidence + ".")
    }

    /// When a request the crash stranded is sent again, seconds after it was first sent:
    /// Linux's RTO starts at its 200 ms floor on a LAN and doubles each time.
    static let retransmissions = (1...6).map { 0.2 * (pow(2, Double($0)) - 1) }
    /// The retransmissions that can end the gap for a takeover within `takeover`: those from
    /// its start up to the first one at or after its end.
    static func resumptions(takeover: ClosedRange<Double>) -> [Double] {
        let last = retransmissions.firstIndex { $0 >= takeover.upperBound } ?? retransmissions.count - 1
        return retransmissions[...last].filter { $0 >= takeover.lowerBound }
    }

    /// How far apart the stranded requests were sent: at the load's pace every connection
    /// has sent one within this time of the crash.
    static let requestSpread = 0.4
}
