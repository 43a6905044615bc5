import ArgumentParser
import Foundation
import SystemKit

/// The `lvsbench` command: a thin layer of argument parsing over the library targets.
@main
struct LVSBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lvsbench",
        abstract: "Benchmark and tune Linux Virtual Server (IPVS) directors in a lab of network namespaces.",
        discussion: """
        Start with `lvsbench run` (the default benchmark, ending in a report) or
        `lvsbench lab up --mode nat --reals 4` to explore a lab by hand.

        Exit codes: 0 success, 1 failure (or a regression found by compare, or a
        cleanup that could not remove everything), 2 bad input (fix the command line,
        install a tool, run as root), 130 interrupted by SIGINT, 143 by SIGTERM,
        129 by SIGHUP (after cleaning up).
        """,
        subcommands: [RunCommand.self, SweepCommand.self, LabCommand.self, LoadCommand.self, CollectCommand.self,
                      TuneCommand.self, ReportCommand.self, CompareCommand.self, DoctorCommand.self, ScaleCommand.self,
                      ScenarioCommand.self]
    )

    /// ArgumentParser exits 64 on a usage error; lvsbench promises 2 for every kind of bad
    /// input, in one line, so scripts need to check only one code. A value an option's
    /// transform rejected is reported with the vocabulary's own message (`OptionValue`).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) != .success, let rejection = OptionValue.rejection {
                Foundation.exit(ErrorReporting.exit(for: rejection).rawValue)
            }
            if exitCode(for: error) == .validationFailure {
                let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
                Console.error("lvsbench: \(message) (see --help)\n")
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}
