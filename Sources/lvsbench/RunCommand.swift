import ArgumentParser
import Experiments
import Foundation
import SystemKit
import Vocabulary

/// `lvsbench run`: the benchmark matrix, ending in a result directory with reports.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Measure a matrix of modes × schedulers × profiles through a lab director and write a report.",
        discussion: """
        With no options: the default benchmark, nat, dr, tun × rr, wrr, lc, wlc with 4 reals weighted 5,5,1,1, the default profile, HTTP keep-alive, 1 s warm-up and 3 s measured per cell. One lab is built per mode and reconfigured between its cells. Every cell also measures the client straight to real1 (the direct path) for the LB overhead ratio.

        With --balancer, the same matrix runs under each balancer (one lab per mode and balancer); cells a balancer cannot run (a mode or scheduler it lacks, a profile with IPVS settings) are skipped and listed in the report as not measured, and a balancer that can run none of them is refused before anything is built.

        Example:
          lvsbench run --mode nat,dr --scheduler rr,wrr --duration 2s --repeat 3 --name nat-vs-dr
          lvsbench run --mode nat --balancer ipvs,nftables,iptables,haproxy

        Results go to <out>/<UTC time>-<name>/ (summary.json, samples.jsonl, cells.csv, report.md, report.html) and <out>/latest points at it. Ctrl-C (or SIGTERM, SIGHUP) stops the load, tears the labs down and leaves the result marked incomplete; the exit code is the signal's (130, 143, 129), or 1 when the teardown could not remove everything (the message names what is left).
        """
    )

    @Option(name: .long, help: "Forwarding modes, comma separated: nat, dr, tun, mixed.",
            transform: OptionValue.list("--mode", LabMode.init(parsing:)))
    var mode: [LabMode]?
    @OptionGroup var measurement: MeasurementOptions
    @Option(name: .long, help: "IPVS schedulers, comma separated (rr, wrr, lc, wlc, sh, ...).",
            transform: OptionValue.list("--scheduler", Scheduler.init(parsing:)))
    var scheduler: [Scheduler]?
    @Option(name: .long, help: "Balancers, comma separated (ipvs, nftables, iptables, haproxy; default ipvs): one lab per mode and balancer, cells a balancer cannot run are listed as not measured.",
            transform: OptionValue.list("--balancer", BalancerKind.init(parsing:)))
    var balancer: [BalancerKind]?
    @Option(name: .long, help: "Tuning profiles, comma separated (see `lvsbench tune list`).",
            transform: OptionValue.list("--profile") { $0 })
    var profile: [String]?
    @Option(name: .long, help: "Number of real servers (default 4).")
    var reals: Int?
    @Option(name: .long, help: "Weights, one per real, e.g. 5,5,1,1; repeat the option to compare weight sets.",
            transform: OptionValue.parsed(Weights.parseList))
    var weights: [[Int]] = []
    @Option(name: .long, help: "Load: http (keep-alive), http-close, tcp-rr, tcp-crr.",
            transform: OptionValue.parsed(LoadKind.init(parsing:)))
    var load: LoadKind?
    @Option(name: .customShort("c"), help: "Concurrent connections of the load generator, 1 to 10000 (default: at least 16, a multiple that divides exactly by the weights, e.g. 24 for 5,5,1,1).")
    var connections: Int?
    @Option(name: .long, help: "Total requests per second (open loop, 0.001 to 100000000); default: as fast as possible.")
    var rate: Double?
    @Option(name: .customLong("repeat"), help: "Measured windows per cell (median and spread reported).")
    var repeats: Int?

    /// Every value checked against the others before `run()`: the settings these options
    /// stand for can be made. Only the host checks (profiles, `--out`) are left to `run()`.
    func validate() throws {
        try OptionValue.checked { _ = try settings() }
    }

    func run() throws {
        try reportingErrors {
            try measurement.print(try RunSession.run(settings(), commandLine: CommandLine.arguments))
        }
    }

    /// The run these options ask for; an option not given takes the library's default.
    private func settings() throws -> RunSettings {
        try RunSettings(modes: mode, schedulers: scheduler, profiles: profile, reals: reals,
                        weights: weights, load: load, connections: connections, rate: rate,
                        duration: measurement.duration, warmup: measurement.warmup, repeats: repeats,
                        outDir: measurement.out, name: measurement.name, balancers: balancer)
    }
}
