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
    @OptionGroup var result: ResultOptions

    var out: String? { result.out }
    var name: String? { result.name }
    var json: Bool { result.json }
    func print(_ outcome: SessionOutcome) throws { try result.print(outcome) }
}
