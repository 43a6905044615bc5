import ArgumentParser
import Experiments
import Foundation
import SystemKit

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

    @Option(name: .long, help: "Forwarding modes, comma separated: nat, dr, tun, mixed.")
    var mode: String?
    @Option(name: .long, help: "Numbers of reals to measure, comma separated.")
    var reals: String?
    @Option(name: .customLong("real-rate"), help: "Cap per real in bytes per second, e.g. 400KB/s (1KB/s to 1GB/s).")
    var realRate: String?
    @Option(name: .customLong("real-rps"), help: "Cap per real in requests per second (1 to 100000000).")
    var realRPS: Int?
    @Option(name: .customShort("c"), help: "Connections of the load generator, 1 to 10000 (default 4 per real, at least 16).")
    var connections: Int?
    @Option(name: .long, help: "Measured window per point, e.g. 3s (100ms to 24h).")
    var duration: String?
    @Option(name: .long, help: "Warm-up per point, e.g. 1s (0: none; else 100ms to 24h).")
    var warmup: String?
    @Option(name: .long, help: "http (keep-alive, default) or http-close (a new connection per request: IPVS schedules each).")
    var load: String?
    @OptionGroup var output: ResultOutputOptions

    func run() throws {
        try reportingErrors {
            var request = SweepRequest()
            request.modes = mode
            request.reals = reals
            request.realRate = realRate
            request.realRPS = realRPS
            request.connections = connections
            request.duration = duration
            request.warmup = warmup
            request.load = load
            request.outDir = output.out
            request.name = output.name
            let outcome = try SweepSession.run(request, commandLine: CommandLine.arguments)
            try output.print(outcome)
        }
    }
}
