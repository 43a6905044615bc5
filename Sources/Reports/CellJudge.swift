import Foundation
import Results

/// Judges one cell of a comparison: which figures changed, by how much, and whether the
/// change is beyond both the threshold and the noise of the repeats.
struct CellJudge {
    let base: Cell
    let new: Cell
    let threshold: Double
    var name: String { base.key.description }

    /// LB overhead ratio, share deviation and error rate: figures measured against a same-run reference.
    func sameRunChanges() -> [Comparison.Change] {
        var out = [higherIsBetter("LB overhead ratio", .ratio, base.lbOverheadRatio, new.lbOverheadRatio,
                                  base.repeats.lbOverheadRatio, new.repeats.lbOverheadRatio)]
        if !base.perReal.isEmpty && !new.perReal.isEmpty {
            let b = maxDeviation(base), n = maxDeviation(new)
            let delta = (n - b) * 100
            let verdict: Comparison.Verdict = delta > threshold * 100 ? .regression
                : delta < -threshold * 100 ? .better : .ok
            out.append(.init(cell: name, metric: "worst share deviation (points)", kind: .share,
                             base: b * 100, new: n * 100, change: delta, verdict: verdict))
        }
        let b = errorRate(base), n = errorRate(new)
        if b > 0 || n > 0 {
            let delta = n - b
            out.append(.init(cell: name, metric: "error rate", kind: .ratio, base: b, new: n, change: delta,
                             verdict: delta > 0.01 ? .regression : .ok))
        }
        return out
    }

    /// Raw rates: meaningful between runs on the same host only.
    func rawChanges() -> [Comparison.Change] {
        var out = [higherIsBetter("req/s", .raw, base.rps, new.rps, base.repeats.rps, new.repeats.rps)]
        if base.cps > 0 {
            out.append(.init(cell: name, metric: "conn/s", kind: .raw, base: base.cps, new: new.cps,
                             change: (new.cps - base.cps) / base.cps, verdict: .info))
        }
        if base.latencyUS.p99 > 0 {
            out.append(.init(cell: name, metric: "p99 µs", kind: .raw, base: base.latencyUS.p99, new: new.latencyUS.p99,
                             change: (new.latencyUS.p99 - base.latencyUS.p99) / base.latencyUS.p99, verdict: .info))
        }
        return out
    }

    func higherIsBetter(_ metric: String, _ kind: Comparison.Kind, _ b: Double, _ n: Double,
                        _ bSpread: Spread, _ nSpread: Spread) -> Comparison.Change {
        let rel = b != 0 ? (n - b) / abs(b) : (n == 0 ? 0 : 1)
        let verdict: Comparison.Verdict
        if rel > threshold {
            verdict = .better
        } else if rel >= -threshold {
            verdict = .ok
        } else if bSpread.values.count > 1 && nSpread.values.count > 1 && bSpread.overlaps(nSpread) {
            verdict = .noise
        } else {
            verdict = .regression
        }
        return .init(cell: name, metric: metric, kind: kind, base: b, new: n, change: rel, verdict: verdict)
    }

    func maxDeviation(_ c: Cell) -> Double {
        c.perReal.map { abs($0.observedShare - $0.expectedShare) }.max() ?? 0
    }

    func errorRate(_ c: Cell) -> Double {
        let requests = c.rps * c.durationSeconds * Double(max(c.repeats.count, 1))
        return requests > 0 ? Double(c.errors.total) / (requests + Double(c.errors.total)) : (c.errors.total > 0 ? 1 : 0)
    }
}
