import Foundation
import SystemKit

/// What `lvsbench scenario NAME` found: one fault, its variants measured side by side (each
/// in a lab of its own, built fresh so no variant inherits another's state), and the claims
/// the scenario tests, each judged from the variants' numbers. `Summary.scenario`.
public struct ScenarioResult: Codable, Equatable, Sendable {
    /// "dead-real", "port-reuse", ...
    public var scenario: String
    /// The operator's question the scenario answers, for the report's first lines.
    public var question: String
    public var variants: [ScenarioVariant]
    public var findings: [ScenarioFinding]

    public init(scenario: String, question: String, variants: [ScenarioVariant] = [], findings: [ScenarioFinding] = []) {
        self.scenario = scenario
        self.question = question
        self.variants = variants
        self.findings = findings
    }
}

/// One claim (from the kernel documentation, an issue thread or an earlier finding) and what
/// this run says about it, with the numbers that say so.
public struct ScenarioFinding: Codable, Equatable, Sendable {
    public enum Verdict: String, Codable, Sendable {
        /// The numbers agree with the claim.
        case shown
        /// The numbers contradict it.
        case refuted
        /// The variants it needs were not run (or failed).
        case notMeasured = "not-measured"
    }

    public var claim: String
    public var verdict: Verdict
    /// The figures behind the verdict, in a sentence.
    public var evidence: String

    public init(claim: String, verdict: Verdict, evidence: String) {
        self.claim = claim
        self.verdict = verdict
        self.evidence = evidence
    }
}

extension ResultDirectory {
    /// timeline.csv of `lvsbench scenario`: every variant's client intervals.
    public static let timelineFile = "timeline.csv"
    public var timelineURL: URL { url.appendingPathComponent(Self.timelineFile) }
    public func write(timelineCSV: String) throws { try AtomicFile.write(timelineCSV, to: timelineURL.path) }
}
