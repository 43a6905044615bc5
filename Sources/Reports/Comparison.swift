import Foundation
import Results
import SystemKit

/// The result of `lvsbench compare BASE NEW`: a change per cell and metric, judged against a
/// threshold and the repeats' spread. Same-run ratios and shares come first because they hold
/// on a noisy machine; raw rates after, for context and for runs on the same host.
public struct Comparison: Codable, Equatable, Sendable {
    public enum Verdict: String, Codable, Sendable {
        /// Within the threshold.
        case ok
        /// Beyond the threshold, the good way.
        case better
        /// Beyond the threshold the bad way, but the repeats' ranges overlap: noise.
        case noise
        /// Beyond the threshold the bad way and outside the spread of both runs.
        case regression
        /// Shown for context only; never fails the gate.
        case info
    }

    public enum Kind: String, Codable, Sendable { case ratio, share, raw }

    public struct Change: Codable, Equatable, Sendable {
        public var cell: String
        public var metric: String
        public var kind: Kind
        public var base: Double
        public var new: Double
        /// (new - base) / base for rates and ratios; new - base in points for shares.
        public var change: Double
        public var verdict: Verdict
    }

    public var base: String
    public var new: String
    public var threshold: Double
    public var changes: [Change]
    /// Cells of BASE that NEW lacks: a regression (the gate must not pass on a partial run).
    public var missingCells: [String]
    /// Cells only NEW has (reported, not judged).
    public var addedCells: [String]
    public var newComplete: Bool

    public var regressions: [Change] { changes.filter { $0.verdict == .regression } }
    public var passed: Bool { regressions.isEmpty && missingCells.isEmpty && newComplete }

    enum CodingKeys: String, CodingKey {
        case base, new, threshold, changes, missingCells = "missing_cells", addedCells = "added_cells"
        case newComplete = "new_complete", passed, regressionCount = "regression_count"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        base = try c.decode(String.self, forKey: .base)
        new = try c.decode(String.self, forKey: .new)
        threshold = try c.decode(Double.self, forKey: .threshold)
        changes = try c.decode([Change].self, forKey: .changes)
        missingCells = try c.decode([String].self, forKey: .missingCells)
        addedCells = try c.decode([String].self, forKey: .addedCells)
        newComplete = try c.decode(Bool.self, forKey: .newComplete)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(base, forKey: .base)
        try c.encode(new, forKey: .new)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(changes, forKey: .changes)
        try c.encode(missingCells, forKey: .missingCells)
        try c.encode(addedCells, forKey: .addedCells)
        try c.encode(newComplete, forKey: .newComplete)
        try c.encode(passed, forKey: .passed)
        try c.encode(regressions.count, forKey: .regressionCount)
    }

    init(base: String, new: String, threshold: Double, changes: [Change], missingCells: [String],
         addedCells: [String], newComplete: Bool) {
        self.base = base
        self.new = new
        self.threshold = threshold
        self.changes = changes
        self.missingCells = missingCells
        self.addedCells = addedCells
        self.newComplete = newComplete
    }

    /// "5%", "5" (percent) or "0.05%": a fraction in 0 < t < 1.
    public static func parseThreshold(_ text: String) throws -> Double {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("%") { t.removeLast() }
        guard let v = Double(t), v.isFinite, v > 0, v < 100 else {
            throw InvalidInput("threshold '\(text)' is not a percentage between 0 and 100: use e.g. 5%")
        }
        return v / 100
    }

    /// Compares two summaries cell by cell. Throws `InvalidInput` when NEW has cells but none
    /// matches: the runs measured different matrices and no verdict would mean anything. A NEW
    /// without any cell (a run that failed early) is a failure: every cell is missing.
    public static func compare(base: Summary, new: Summary, threshold: Double,
                               baseName: String = "BASE", newName: String = "NEW") throws -> Comparison {
        let newCells = Dictionary(new.cells.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let baseKeys = Set(base.cells.map(\.key))
        var first: [Change] = [], raw: [Change] = [], missing: [String] = []
        for b in base.cells {
            guard let n = newCells[b.key] else { missing.append(b.key.description); continue }
            let judged = CellJudge(base: b, new: n, threshold: threshold)
            first += judged.sameRunChanges()
            raw += judged.rawChanges()
        }
        let added = new.cells.map(\.key).filter { !baseKeys.contains($0) }.sorted().map(\.description)
        if !base.cells.isEmpty && !new.cells.isEmpty && missing.count == base.cells.count {
            throw InvalidInput("no cell of \(newName) matches one of \(baseName) (mode/scheduler/profile/reals/load): "
                + "compare runs of the same matrix")
        }
        raw += sweepChanges(base: base, new: new, threshold: threshold)
        if base.cells.isEmpty && raw.isEmpty {
            throw InvalidInput("\(baseName) has neither cells nor a sweep to compare against: give a finished result")
        }
        return Comparison(base: baseName, new: newName, threshold: threshold, changes: first + raw,
                          missingCells: missing, addedCells: added, newComplete: new.complete)
    }

    static func sweepChanges(base: Summary, new: Summary, threshold: Double) -> [Change] {
        guard let bs = base.sweep, let ns = new.sweep else { return [] }
        var out: [Change] = []
        for mode in bs.keys.sorted() {
            guard let b = bs[mode], let n = ns[mode],
                  let bMax = b.points.map(\.rps).max(), let nMax = n.points.map(\.rps).max(), bMax > 0 else { continue }
            let rel = (nMax - bMax) / bMax
            out.append(Change(cell: "sweep \(mode)", metric: "peak req/s", kind: .raw, base: bMax, new: nMax, change: rel,
                              verdict: rel < -threshold ? .regression : rel > threshold ? .better : .ok))
            if let bk = b.kneeReals, let nk = n.kneeReals {
                out.append(Change(cell: "sweep \(mode)", metric: "knee reals", kind: .raw, base: Double(bk),
                                  new: Double(nk), change: (Double(nk) - Double(bk)) / Double(bk), verdict: .info))
            }
        }
        return out
    }
}
