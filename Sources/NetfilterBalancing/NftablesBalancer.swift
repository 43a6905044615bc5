import Balancing
import SystemKit
import Vocabulary

/// The balancer as nftables DNAT does it (`NftablesRuleset`), driven with `nft` on the
/// director (`runner`). Every change is one `nft -f` batch, committed whole or not at all.
public struct NftablesBalancer: Balancer {
    public let runner: any CommandRunning

    public init(runner: any CommandRunning) { self.runner = runner }

    public func install(_ spec: ServiceSpec) throws { try install(all: [spec]) }

    /// One batch for all of `specs`: what `lvsbench scale` times.
    public func install(all specs: [ServiceSpec]) throws {
        for spec in specs { try NetfilterPlan.check(.nftables, spec) }
        try NetfilterPlan.checkNew(specs, running: services(), kind: .nftables)
        try load(NftablesRuleset.skeleton + specs.map(NftablesRuleset.install).joined())
    }

    public func apply(_ change: BalancerChange) throws {
        let (old, new) = try NetfilterPlan.changed(change, in: services(), kind: .nftables)
        try load(NftablesRuleset.update(from: old, to: new))
    }

    public func services() throws -> [ServiceSpec] { try listing()?.services ?? [] }

    public func counters() throws -> [ServiceReading] { try listing()?.readings ?? [] }

    public func timeouts() throws -> ConnectionTimeouts { try ConntrackTimeouts.read(runner) }

    public func setTimeouts(_ timeouts: ConnectionTimeouts) throws { try ConntrackTimeouts.write(timeouts, runner) }

    public func remove(_ service: VirtualService) throws { try remove(all: [service]) }

    public func remove(all services: [VirtualService]) throws {
        let specs = try NetfilterPlan.specs(of: services, in: self.services(), kind: .nftables)
        try load(specs.map(NftablesRuleset.remove).joined())
    }

    /// The table as it runs; nil when there is none yet.
    func listing() throws -> NftablesListing? {
        let result = try runner.run(["nft", "list", "table", "ip", NftablesRuleset.table], timeout: 60)
        guard result.succeeded else {
            if result.stderr.contains("No such file or directory") { return nil }
            throw CommandFailed(argv: ["nft", "list", "table", "ip", NftablesRuleset.table], result: result)
        }
        return try NftablesListing.parse(result.stdout)
    }

    func load(_ ruleset: String) throws {
        try RulesetLoader.load(ruleset, with: ["nft", "-f"], on: runner)
    }
}
