import ArgumentParser
import SystemKit

/// What balances the director's traffic: the kernel's IPVS, or one of what replaced it
/// elsewhere (kube-proxy's nftables and iptables modes, a userspace L4 proxy), run on the
/// same director, links, reals and load so they can be compared side by side.
public enum BalancerKind: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    /// Linux IPVS, driven with ipvsadm: every mode and scheduler.
    case ipvs
    /// nftables DNAT with numgen maps (kube-proxy's nftables mode): NAT only.
    case nftables
    /// iptables DNAT with `-m statistic` chains (kube-proxy's iptables mode): NAT only.
    case iptables
    /// HAProxy in `mode tcp`: a userspace proxy that terminates both connections.
    case haproxy

    public init(parsing text: String) throws {
        guard let kind = BalancerKind(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            let names = BalancerKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw InvalidInput("unknown balancer '\(text)': use one of \(names)")
        }
        self = kind
    }

    public init?(argument: String) { try? self.init(parsing: argument) }
}
