import ArgumentParser
import Experiments
import Foundation
import SystemKit

/// Where a result goes and how the command says where it went: shared by every command that
/// writes a result directory (`run`, `sweep` and `scale` through `MeasurementOptions`,
/// `scenario` directly).
struct ResultOptions: ParsableArguments {
    @Option(name: .long, help: "Results directory (default ./results).")
    var out: String?
    @Option(name: .long, help: "Name of the result (directory suffix).")
    var name: String?
    @Flag(name: .long, help: "Print the result's paths as JSON on stdout.")
    var json = false

    /// Prints the result's paths on stdout, or one JSON object with `--json`.
    func print(_ outcome: SessionOutcome) throws {
        if json {
            Console.output(try JSONCoding.encode(outcome))
            return
        }
        Swift.print("result: \(outcome.directory)\(outcome.complete ? "" : " (incomplete)")")
        for file in outcome.files { Swift.print("  \(file)") }
    }
}
