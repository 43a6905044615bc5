import ArgumentParser
import Foundation
import Reports
import Results
import SystemKit

/// `lvsbench compare BASE NEW`: the CI gate. Exit 1 on a regression beyond the threshold.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two results cell by cell; exit 1 on a regression beyond the threshold.",
        discussion: """
        Cells are matched by mode, scheduler, profile, reals and load. Same-run figures come first (LB overhead ratio, worst share deviation from the weights, error rate), raw rates after. A drop beyond the threshold is a regression unless the min–max ranges of the repeats of both runs overlap (noise). A cell of BASE missing from NEW, or an incomplete NEW, also fails.

        Exit codes: 0 no regression, 1 regression, 2 bad input (missing directory, no summary.json).

        Example:
          lvsbench compare results/baselines/ci results/latest --threshold 5%
          lvsbench compare results/baselines/ci/summary.json results/latest --json
        """
    )

    @Argument(help: "The baseline: a result directory or its summary.json.")
    var base: String

    @Argument(help: "The run to judge: a result directory or its summary.json.")
    var new: String

    @Option(help: "Largest tolerated drop, in percent (e.g. 5%).")
    var threshold = "5%"

    @Flag(help: "Print the comparison as JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let t = try Comparison.parseThreshold(threshold)
            let b = try ResultDirectory.load(from: URL(fileURLWithPath: base)).readSummary()
            let n = try ResultDirectory.load(from: URL(fileURLWithPath: new)).readSummary()
            let result = try Comparison.compare(base: b, new: n, threshold: t, baseName: base, newName: new)
            if json {
                FileHandle.standardOutput.write(try JSONCoding.encode(result))
            } else {
                print(result.text(), terminator: "")
            }
            if !result.passed { throw ExitCode(ExitStatus.failure.rawValue) }
        }
    }
}
