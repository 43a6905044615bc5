import Foundation

/// Whether a balancer "stays flat" as services are added, the claim kube-proxy's move from
/// iptables to IPVS and nftables rests on: iptables matches a connection's first packet
/// against its rules one after another, so setup latency and programming time per service
/// grow with N; IPVS and nftables look services up in hash tables and maps, so they should not.
///
/// Judged from the points with the smallest and the largest N, by two ratios (largest ÷
/// smallest): p50 setup latency, and programming seconds per service. A balancer grows when
/// its latency ratio exceeds `latencyLimit`; its programming grows when the per-service ratio
/// exceeds `programLimit`. The limits are wide because one UML CPU on a shared machine moves
/// a p50 by tens of percent between windows; a linear rule walk at 10,000 services is
/// several times, not tens of percent.
public struct ScaleVerdict: Codable, Equatable, Sendable {
    public static let latencyLimit = 1.5
    public static let programLimit = 3.0

    public var smallest: Int
    public var largest: Int
    /// p50 setup latency at the largest N ÷ at the smallest.
    public var latencyRatio: Double
    /// Programming seconds per service at the largest N ÷ at the smallest.
    public var programRatio: Double

    /// Nil with fewer than two distinct N, or a smallest point without latency or programming time.
    public init?(_ points: [ScalePoint]) {
        guard let low = points.min(by: { $0.services < $1.services }),
              let high = points.max(by: { $0.services < $1.services }), high.services > low.services,
              low.p50US > 0, low.programSecondsPerService > 0 else { return nil }
        smallest = low.services
        largest = high.services
        latencyRatio = high.p50US / low.p50US
        programRatio = high.programSecondsPerService / low.programSecondsPerService
    }

    public var latencyGrows: Bool { latencyRatio > Self.latencyLimit }
    public var programmingGrows: Bool { programRatio > Self.programLimit }
    /// Flat in both: what the claim expects of IPVS and nftables.
    public var flat: Bool { !latencyGrows && !programmingGrows }

    /// Whether `balancer` behaved as the claim says it should: iptables grows, the others stay flat.
    public func matchesClaim(for balancer: String) -> Bool {
        balancer == "iptables" ? latencyGrows : flat
    }
}
