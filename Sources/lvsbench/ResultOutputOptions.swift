import ArgumentParser
import Experiments
import Foundation
import SystemKit

/// Where `run` and `sweep` put their result and how they say where it went.
struct ResultOutputOptions: ParsableArguments {
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
