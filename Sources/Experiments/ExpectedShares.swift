import Foundation
import IPVSControl
import Vocabulary

/// The share of requests each real should get under a scheduler, so a report can show
/// observed against expected. Nil where the scheduler's choice depends on something a
/// benchmark does not control: hashing schedulers (sh, dh, mh) and the locality-based ones
/// (lblc, lblcr) send one client address to one real, and ovf depends on live connection
/// counts against weights.
///
/// Weighted schedulers (wrr, wlc, sed, nq) converge on weight/sum under steady load with
/// equal reals; unweighted ones (rr, lc) on an equal split among reals that take traffic;
/// weight 0 always means no new connections. fo sends everything to the first real with
/// the highest weight.
public enum ExpectedShares {
    public static func compute(scheduler: Scheduler, weights: [Int]) -> [Double]? {
        let active = weights.map { $0 > 0 }
        let activeCount = active.filter { $0 }.count
        guard activeCount > 0 else { return nil }
        switch scheduler {
        case .wrr, .wlc, .sed, .nq:
            let sum = Double(weights.filter { $0 > 0 }.reduce(0, +))
            return weights.map { $0 > 0 ? Double($0) / sum : 0 }
        case .rr, .lc:
            return active.map { $0 ? 1.0 / Double(activeCount) : 0 }
        case .fo:
            let top = weights.max()!
            let first = weights.firstIndex(of: top)!
            return weights.indices.map { $0 == first ? 1 : 0 }
        case .sh, .dh, .mh, .lblc, .lblcr, .ovf:
            return nil
        }
    }

    /// Observed shares from the load generator's per-server request counts, in real order
    /// (`names`); nil when no request was answered at all.
    public static func observed(counts: [String: Int], names: [String]) -> [Double]? {
        let total = names.reduce(0) { $0 + (counts[$1] ?? 0) }
        guard total > 0 else { return nil }
        return names.map { Double(counts[$0] ?? 0) / Double(total) }
    }
}
