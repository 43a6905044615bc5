import ArgumentParser
import Experiments
import Foundation
import SystemKit
import Vocabulary

/// What `run`, `sweep` and `scale` all ask for: how long each measurement lasts, where the
/// result goes and how they say where it went. Values arrive typed (`OptionValue`).
struct MeasurementOptions: ParsableArguments {
    @Option(name: .long, help: "Measured window per repeat of a cell (run), per point (sweep) or per count of services (scale), e.g. 3s (100ms to 24h).",
            transform: OptionValue.parsed(RunSettings.window))
    var duration: Double?
    @Option(name: .long, help: "Warm-up per cell, point or count, e.g. 1s (0: none; else 100ms to 24h).",
            transform: OptionValue.parsed(RunSettings.warmupSeconds))
    var warmup: Double?
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
