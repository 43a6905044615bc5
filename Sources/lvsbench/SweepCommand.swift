import ArgumentParser
import Experiments
import Foundation
import SystemKit
import Vocabulary

/// `lvsbench sweep`: how many capped reals a director can serve, per mode.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Grow the number of capacity-capped reals behind one director and find the knee per mode.",
        discussion: """
        Each real is capped (tc tbf on its link for --real-rate, default 400KB/s as in the LVS paper; or --real-rps requests per second), so throughput grows with the number of reals until the director saturates. The lab of each mode is built once with the largest count; points add and remove reals from the service by weight. The knee is the last count before one more real adds less than half a real's capacity.

        Example:
          lvsbench sweep --mode nat,dr --reals 1,2,4,8,12,16,20,24,32 --real-rate 400KB/s --duration 3s
          lvsbench sweep --load http-close

        Every point also measures the same director plain-forwarding (no IPVS) to one uncapped real, so IPVS's own cost per packet is reported next to the director's.

        Results (with the capacity model and the paper's figures side by side) go to <out>/<UTC time>-<name>/ like `lvsbench run`.
        """
    )

    @Option(name: .long, help: "Forwarding modes, comma separated: nat, dr, tun, mixed.",
            transform: OptionValue.list("--mode", LabMode.init(parsing:)))
    var mode: [LabMode]?
    @OptionGroup var measurement: MeasurementOptions
    @Option(name: .long, help: "Numbers of reals to measure, comma separated.",
            transform: OptionValue.list("--reals", SweepSettings.realCount))
    var reals: [Int]?
    @Option(name: .customLong("real-rate"), help: "Cap per real in bytes per second, e.g. 400KB/s (1KB/s to 1GB/s).",
            transform: OptionValue.parsed(SweepSettings.realRate))
    var realRate: Int?
    @Option(name: .customLong("real-rps"), help: "Cap per real in requests per second (1 to 100000000).")
    var realRPS: Int?
    @Option(name: .customShort("c"), help: "Connections of the load generator, 1 to 10000 (default 4 per real, at least 16).")
    var connections: Int?
    @Option(name: .long, help: "http (keep-alive, default) or http-close (a new connection per request: IPVS schedules each).",
            transform: OptionValue.parsed(SweepSettings.load))
    var load: LoadKind?

    /// Every value checked against the others before `run()`: the settings these options
    /// stand for can be made. Only the host check (`--out`) is left to `run()`.
    func validate() throws {
        try OptionValue.checked { _ = try settings() }
    }

    func run() throws {
        try reportingErrors {
            try measurement.print(try SweepSession.run(settings(), commandLine: CommandLine.arguments))
        }
    }

    /// The sweep these options ask for; an option not given takes the library's default.
    private func settings() throws -> SweepSettings {
        try SweepSettings(modes: mode, reals: reals, realRate: realRate, realRPS: realRPS,
                          connections: connections, duration: measurement.duration, warmup: measurement.warmup,
                          load: load, outDir: measurement.out, name: measurement.name)
    }
}
