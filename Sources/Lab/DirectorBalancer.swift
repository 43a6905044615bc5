import Balancing
import IPVSControl
import NetfilterBalancing
import ProxyBalancing
import SystemKit
import Vocabulary

/// The balancer a lab's director runs: the one place that names the implementations, so the
/// lab, the tuner and the undo log reach them only through the `Balancer` seam.
public enum DirectorBalancer {
    /// The balancer of kind `kind` on `director`; HAProxy keeps its files in the lab's
    /// `directory` (without one it is unavailable).
    public static func on(_ director: any LabNode, kind: BalancerKind = .ipvs, directory: String? = nil) -> any Balancer {
        switch kind {
        case .ipvs: return IPVSBalancer(runner: director)
        case .nftables: return NftablesBalancer(runner: director)
        case .iptables: return IptablesBalancer(runner: director)
        case .haproxy:
            guard let directory else { return Unavailable(kind: kind) }
            return HAProxyBalancer(runner: director, directory: HAProxyBalancer.directory(labDirectory: directory))
        }
    }

    /// Refuses, before anything is built, a combination `kind` cannot run (exit 2 with the
    /// reason and what would work instead).
    public static func check(_ kind: BalancerKind, mode: LabMode, scheduler: Scheduler, persistence: Int?) throws {
        switch kind {
        case .ipvs: return
        case .nftables, .iptables:
            try NetfilterPlan.check(kind, nat: mode == .nat, scheduler: scheduler, persistence: persistence)
        case .haproxy:
            // Every mode works (verified live): a proxy reaches the reals from the director's
            // own address, so neither the forwarding method nor where replies go matters to it.
            try HAProxyConfig.check(scheduler: scheduler, persistence: persistence)
        }
    }
}

/// Stands in for a HAProxy balancer asked for without the lab directory its files live in:
/// every call fails with that reason instead of writing configuration somewhere else.
struct Unavailable: Balancer {
    var kind: BalancerKind
    func fail() -> Error { RuntimeFailure("balancer \(kind.rawValue) needs the lab's directory for its files") }
    func install(_ spec: ServiceSpec) throws { throw fail() }
    func apply(_ change: BalancerChange) throws { throw fail() }
    func services() throws -> [ServiceSpec] { throw fail() }
    func counters() throws -> [ServiceReading] { throw fail() }
    func timeouts() throws -> ConnectionTimeouts { throw fail() }
    func setTimeouts(_ timeouts: ConnectionTimeouts) throws { throw fail() }
    func remove(_ service: VirtualService) throws { throw fail() }
}
