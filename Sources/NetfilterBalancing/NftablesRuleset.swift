import Foundation
import Balancing

/// The nftables rules of the balancer, as `nft -f` text, rendered by pure functions so tests
/// check them exactly. Modelled on kube-proxy's nftables mode: a table of its own, a nat
/// prerouting chain that looks a connection's VIP and port up in a verdict map and jumps to
/// the service's chain, which picks a real with `numgen inc` (a counter, so shares per
/// weight are exact per cycle like IPVS's wrr, where `numgen random` would give statistical
/// ones) and jumps to the real's chain, which counts the connection and DNATs it. A forward
/// filter chain counts each service's packets and bytes both ways by the conntrack entry's
/// original destination.
public enum NftablesRuleset {
    public static let table = "lvsbench"

    /// The table, its maps and base chains: every statement idempotent (the base chains are
    /// flushed and refilled), so each batch starts with it and needs no state.
    public static let skeleton = """
        add table ip lvsbench
        add map ip lvsbench services { type ipv4_addr . inet_service : verdict; }
        add map ip lvsbench traffic { type ipv4_addr . inet_service : verdict; }
        add chain ip lvsbench prerouting { type nat hook prerouting priority dstnat; policy accept; }
        flush chain ip lvsbench prerouting
        add rule ip lvsbench prerouting ip daddr . tcp dport vmap @services
        add chain ip lvsbench forward { type filter hook forward priority filter; policy accept; }
        flush chain ip lvsbench forward
        add rule ip lvsbench forward meta l4proto tcp ct original ip daddr . ct original proto-dst vmap @traffic

        """

    /// "198_18_1_100_80": a service's or real's part of a chain name.
    static func key(_ address: String, _ port: Int) -> String {
        address.replacingOccurrences(of: ".", with: "_") + "_\(port)"
    }

    static func serviceChain(_ s: VirtualService) -> String { "s_" + key(s.address, s.port) }
    static func trafficChain(_ s: VirtualService) -> String { "t_" + key(s.address, s.port) }
    static func realChain(_ s: VirtualService, _ r: RealSpec) -> String {
        "r_" + key(s.address, s.port) + "_" + key(r.address, r.port)
    }

    /// Adds `spec` (a new service: its counters start at zero).
    public static func install(_ spec: ServiceSpec) -> String {
        let s = spec.service, t = trafficChain(s)
        var lines = [
            "add chain ip lvsbench \(t)",
            "flush chain ip lvsbench \(t)",
            "add rule ip lvsbench \(t) ct direction original counter comment \"in\"",
            "add rule ip lvsbench \(t) ct direction reply counter comment \"out\"",
        ]
        lines += spec.reals.flatMap { realLines(s, $0) }
        lines += schedulerLines(spec)
        lines += [
            "add element ip lvsbench services { \(s.address) . \(s.port) : jump \(serviceChain(s)) }",
            "add element ip lvsbench traffic { \(s.address) . \(s.port) : jump \(t) }",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Changes a running service from `old` to `new` (same VIP and port): only the service's
    /// chain is refilled, so the reals that stay keep their connection counts.
    public static func update(from old: ServiceSpec, to new: ServiceSpec) -> String {
        let kept = Set(old.reals.map(\.endpoint))
        let gone = old.reals.filter { r in !new.reals.contains { $0.endpoint == r.endpoint } }
        var lines = new.reals.filter { !kept.contains($0.endpoint) }.flatMap { realLines(new.service, $0) }
        lines += schedulerLines(new)
        for real in gone {
            lines += ["flush chain ip lvsbench \(realChain(old.service, real))", "delete chain ip lvsbench \(realChain(old.service, real))"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Removes `spec`'s service, its chains and map entries.
    public static func remove(_ spec: ServiceSpec) -> String {
        let s = spec.service
        var lines = [
            "delete element ip lvsbench services { \(s.address) . \(s.port) }",
            "delete element ip lvsbench traffic { \(s.address) . \(s.port) }",
        ]
        let chains = [serviceChain(s), trafficChain(s)] + spec.reals.map { realChain(s, $0) }
        lines += chains.map { "flush chain ip lvsbench \($0)" }
        lines += chains.map { "delete chain ip lvsbench \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    static func realLines(_ s: VirtualService, _ real: RealSpec) -> [String] {
        let chain = realChain(s, real)
        return ["add chain ip lvsbench \(chain)",
                "flush chain ip lvsbench \(chain)",
                "add rule ip lvsbench \(chain) meta l4proto tcp counter dnat to \(real.endpoint)"]
    }

    /// The service's chain, emptied and refilled: its record (as comments) and the pick.
    static func schedulerLines(_ spec: ServiceSpec) -> [String] {
        let chain = serviceChain(spec.service)
        var lines = ["add chain ip lvsbench \(chain)", "flush chain ip lvsbench \(chain)",
                     "add rule ip lvsbench \(chain) meta l4proto tcp comment \"\(NetfilterPlan.serviceComment(spec))\""]
        lines += spec.reals.map { "add rule ip lvsbench \(chain) meta l4proto tcp comment \"\(NetfilterPlan.realComment($0))\"" }
        let slots = NetfilterPlan.slots(spec)
        guard !slots.isEmpty else { return lines }
        var ranges: [String] = [], start = 0
        for end in slots.indices where end == slots.count - 1 || slots[end + 1] != slots[end] {
            let range = start == end ? "\(start)" : "\(start)-\(end)"
            ranges.append("\(range) : jump \(realChain(spec.service, spec.reals[slots[end]]))")
            start = end + 1
        }
        lines.append("add rule ip lvsbench \(chain) numgen inc mod \(slots.count) vmap { \(ranges.joined(separator: ", ")) }")
        return lines
    }
}
