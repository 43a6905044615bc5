import ArgumentParser
import Experiments
import Foundation
import Scenarios
import SystemKit
import Vocabulary

/// `lvsbench scenario NAME`: a fault injected at a known time under load, its variants side
/// by side, what was lost and for how long.
struct ScenarioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Inject a fault (a real dies, a director fails over, ports are reused ...) under load and measure what users lose.",
        discussion: """
        Each variant of the scenario runs in a lab of its own, built fresh, under the same open-loop load; the fault comes at --fault-at. The client's timeline (responses, failed and timed-out requests, p99 per interval) and the director's (connections scheduled per real, the connection table) are recorded, and the scenario's claims are judged from them.

        Scenarios:
        \(ScenarioCatalog.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n"))

        Examples:
          lvsbench scenario --list
          lvsbench scenario dead-real
          lvsbench scenario dead-real --variants nothing,weight-0 --load http --duration 8s --fault-at 3s

        Results (summary.json with a "scenario" section, timeline.csv, report.md, report.html with timelines) go to <out>/<UTC time>-<name>/ like `lvsbench run`. Ctrl-C tears the current lab down and leaves the result marked incomplete.
        """
    )

    @Argument(help: "The scenario: \(ScenarioCatalog.all.map(\.name).joined(separator: ", ")).")
    var scenario: String?
    @Flag(name: .long, help: "List the scenarios and their variants.")
    var list = false
    @Option(name: .long, help: "Only these variants, comma separated (see --list).",
            transform: OptionValue.list("--variants") { $0 })
    var variants: [String]?
    @Option(name: .long, help: "Forwarding mode of the labs: nat, dr or tun (default: the scenario's).",
            transform: OptionValue.parsed(LabMode.init(parsing:)))
    var mode: LabMode?
    @Option(name: .long, help: "Number of real servers (default: the scenario's).")
    var reals: Int?
    @Option(name: .long, help: "Loads, comma separated: http (keep-alive), http-close, tcp-rr, tcp-crr (default: the scenario's).",
            transform: OptionValue.list("--load", LoadKind.init(parsing:)))
    var load: [LoadKind]?
    @Option(name: .long, help: "Offered requests per second (open loop).")
    var rate: Double?
    @Option(name: .customShort("c"), help: "Connections of the load generator, 1 to 10000.")
    var connections: Int?
    @Option(name: .long, help: "Load per variant, e.g. 12s.",
            transform: OptionValue.parsed { try Quantities.duration($0, what: "--duration") })
    var duration: Double?
    @Option(name: .customLong("fault-at"), help: "When the fault comes, counted from the start of the load, e.g. 4s.",
            transform: OptionValue.parsed { try Quantities.duration($0, what: "--fault-at") })
    var faultAt: Double?
    @Option(name: .long, help: "Timeline resolution, e.g. 250ms.",
            transform: OptionValue.parsed { try Quantities.duration($0, what: "--interval") })
    var interval: Double?
    @OptionGroup var result: ResultOptions

    func validate() throws {
        if list { return }
        try OptionValue.checked { _ = try settings() }
    }

    func run() throws {
        try reportingErrors {
            if list { return try printList() }
            try result.print(try ScenarioSession.run(settings(), commandLine: CommandLine.arguments))
        }
    }

    private func settings() throws -> ScenarioSettings {
        guard let scenario else {
            throw InvalidInput("no scenario given: give one of \(ScenarioCatalog.all.map(\.name).joined(separator: ", ")), or --list")
        }
        let options = ScenarioOptions(mode: mode, reals: reals, loads: load, rate: rate, connections: connections,
                                      duration: duration, faultAt: faultAt, interval: interval, variants: variants)
        return try ScenarioSettings(scenario: ScenarioCatalog.named(scenario), options: options, outDir: result.out,
                                    name: result.name)
    }

    private func printList() throws {
        if result.json {
            struct Entry: Encodable { let name: String, summary: String, variants: [String] }
            return Console.output(try JSONCoding.encode(ScenarioCatalog.all.map {
                Entry(name: $0.name, summary: $0.summary, variants: $0.variantNames)
            }))
        }
        for s in ScenarioCatalog.all {
            print("\(s.name): \(s.summary)")
            print("  variants: \(s.variantNames.joined(separator: ", "))")
        }
    }
}
