import Balancing
import SystemKit
import Vocabulary

/// The balancer as iptables DNAT does it (`IptablesRuleset`), driven on the director with
/// `iptables-legacy`: the x_tables rule walk kube-proxy's iptables mode measured, and the
/// kernel API the UML director's modules (ip_tables, iptable_nat, xt_statistic) provide,
/// where Debian's default `iptables` (iptables-nft) would need nftables' nat chains. Every
/// change is one `iptables-legacy-restore --noflush` file, committed per table whole or not at all.
public struct IptablesBalancer: Balancer {
    public let runner: any CommandRunning

    public init(runner: any CommandRunning) { self.runner = runner }

    public func install(_ spec: ServiceSpec) throws { try install(all: [spec]) }

    /// One restore file for all of `specs`: what `lvsbench scale` times.
    public func install(all specs: [ServiceSpec]) throws {
        for spec in specs { try NetfilterPlan.check(.iptables, spec) }
        let current = try listing()
        try NetfilterPlan.checkNew(specs, running: current.services, kind: .iptables)
        try load(IptablesRuleset.install(specs, fresh: !current.hooked))
    }

    public func apply(_ change: BalancerChange) throws {
        let (old, new) = try NetfilterPlan.changed(change, in: services(), kind: .iptables)
        try load(IptablesRuleset.update(from: old, to: new))
    }

    public func services() throws -> [ServiceSpec] { try listing().services }

    public func counters() throws -> [ServiceReading] { try listing().readings }

    public func timeouts() throws -> ConnectionTimeouts { try ConntrackTimeouts.read(runner) }

    public func setTimeouts(_ timeouts: ConnectionTimeouts) throws { try ConntrackTimeouts.write(timeouts, runner) }

    public func remove(_ service: VirtualService) throws { try remove(all: [service]) }

    public func remove(all services: [VirtualService]) throws {
        let specs = try NetfilterPlan.specs(of: services, in: self.services(), kind: .iptables)
        try load(IptablesRuleset.remove(specs))
    }

    func listing() throws -> IptablesListing {
        try IptablesListing.parse(runner.check(["iptables-legacy-save", "-c"], timeout: 60).stdout)
    }

    func load(_ ruleset: String) throws {
        try RulesetLoader.load(ruleset, with: ["iptables-legacy-restore", "--noflush"], on: runner)
    }
}
