import Balancing
import Foundation

/// Per-second rates of every counter of every node over one interval between samples.
public struct RatePoint: Codable, Equatable, Sendable {
    /// Seconds since start, at the end of the interval.
    public var elapsed: Double
    /// Length of the interval, seconds.
    public var seconds: Double
    /// Node name → counter name (`Tcp.ActiveOpens`, `ipvs.inPackets`, `if.vec0.rxBytes`,
    /// `cpu.softirq`) → change per second.
    public var nodes: [String: [String: Double]]
}

/// Turns samples into rates. Every cumulative counter is flattened into one name space per
/// node so that a single rule handles wraps and resets for all of them.
public enum CounterRates {
    /// SNMP values that are levels, not counts: a rate of them means nothing.
    static let gauges: Set<String> = ["Tcp.CurrEstab", "Tcp.MaxConn", "Tcp.RtoAlgorithm", "Tcp.RtoMin",
                                      "Tcp.RtoMax", "Ip.Forwarding", "Ip.DefaultTTL"]

    /// The increase of a counter from `previous` to `current`, wraps and resets allowed
    /// for as `BalancerCounters.increase` does for the director's.
    public static func delta(_ previous: UInt64, _ current: UInt64) -> UInt64 {
        BalancerCounters.increase(from: previous, to: current)
    }

    /// The cumulative counters of a node sample, flattened.
    public static func flatten(_ s: NodeSample) -> [String: UInt64] {
        var c: [String: UInt64] = [:]
        for (k, v) in s.counters where v >= 0 && !gauges.contains(k) { c[k] = UInt64(v) }
        if !s.softnet.isEmpty {
            c["softnet.processed"] = s.softnet.reduce(0) { $0 + $1.processed }
            c["softnet.dropped"] = s.softnet.reduce(0) { $0 + $1.dropped }
            c["softnet.timeSqueeze"] = s.softnet.reduce(0) { $0 + $1.timeSqueeze }
        }
        if let cpu = s.cpu {
            for (k, v) in [("user", cpu.user), ("nice", cpu.nice), ("system", cpu.system), ("idle", cpu.idle),
                           ("iowait", cpu.iowait), ("irq", cpu.irq), ("softirq", cpu.softirq),
                           ("steal", cpu.steal), ("total", cpu.total)] {
                c["cpu.\(k)"] = v
            }
        }
        for (name, i) in s.interfaces {
            for (k, v) in [("rxBytes", i.rxBytes), ("rxPackets", i.rxPackets), ("rxErrors", i.rxErrors),
                           ("rxDropped", i.rxDropped), ("txBytes", i.txBytes), ("txPackets", i.txPackets),
                           ("txErrors", i.txErrors), ("txDropped", i.txDropped)] {
                c["if.\(name).\(k)"] = v
            }
        }
        if let ipvs = s.ipvs {
            for (k, v) in ipvs.stats.totals.named { c["ipvs.\(k)"] = v }
            for real in ipvs.reals {
                for (k, v) in real.counters.named { c["ipvs.real.\(real.key).\(k)"] = v }
            }
        }
        return c
    }

    /// Increase of every counter present in both samples of a node.
    public static func deltas(from a: NodeSample, to b: NodeSample) -> [String: UInt64] {
        let before = flatten(a), after = flatten(b)
        var result: [String: UInt64] = [:]
        for (k, v) in after { if let p = before[k] { result[k] = delta(p, v) } }
        return result
    }

    static func points(_ samples: [Sample]) -> [RatePoint] {
        zip(samples, samples.dropFirst()).compactMap { a, b in
            let seconds = b.elapsed - a.elapsed
            guard seconds > 0 else { return nil }
            var nodes: [String: [String: Double]] = [:]
            for nb in b.nodes {
                guard let na = a.node(nb.node) else { continue }
                nodes[nb.node] = deltas(from: na, to: nb).mapValues { Double($0) / seconds }
            }
            return RatePoint(elapsed: b.elapsed, seconds: seconds, nodes: nodes)
        }
    }
}
