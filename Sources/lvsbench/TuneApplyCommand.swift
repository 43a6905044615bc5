import ArgumentParser
import Foundation
import Lab
import SystemKit
import Tuner

struct TuneApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply a profile to a running lab, all or nothing.",
        discussion: """
        Checks every key on every node first: a key a kernel lacks is named and the profile refused (unless --skip-missing); a value of the wrong form or range, or a host-wide sysctl on a namespace node (unless --allow-global), refuses it too. A previous tuning of the lab is restored first. Any failure or Ctrl-C restores what was written.

        Example:
          lvsbench tune apply lvs-tutorial --skip-missing
          lvsbench tune apply ./my-profile.yaml --name lab2 --json
        """
    )

    @Argument(help: "A profile name (profiles/<name>.yaml) or a path to a .yaml file.")
    var profile: String

    @Option(help: "The lab to tune (default: the only lab up).")
    var name: String?

    @Flag(help: "Apply the rest when a kernel lacks some keys (each is reported).")
    var skipMissing = false

    @Flag(help: "Allow sysctls that are host-wide (not per network namespace) on namespace nodes.")
    var allowGlobal = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            // From the start: a signal before the first write still ends in a clean rollback.
            SignalTrap.install()
            try Privileges.requireRoot(for: "tune apply")
            let resolved = try ProfileLibrary.locate().resolve(profile)
            let name = try resolveLab(self.name)
            let lab = try LabEngine.open(name: name)
            let report = try Tuner.apply(resolved, to: TuningTarget(lab: lab),
                                         options: TuningOptions(skipMissing: skipMissing, allowGlobal: allowGlobal),
                                         interrupted: { SignalTrap.interrupted })
            if json {
                Console.output(try JSONCoding.encode(report))
                return
            }
            print("applied \(report.profile) to lab \(name): \(report.applied.count) change\(report.applied.count == 1 ? "" : "s")")
            for change in report.applied {
                let place = change.place == .host ? "  (host-wide)" : ""
                print("  \(change.node)  \(change.key)  \(change.found) -> \(change.wanted)\(place)")
            }
            if !report.unchanged.isEmpty {
                print("already set: " + report.unchanged.map { "\($0.key) (\($0.node))" }.joined(separator: ", "))
            }
            if !report.skippedMissing.isEmpty {
                print("skipped, this kernel lacks them: " + report.skippedMissing.map { "\($0.key) (\($0.node))" }.joined(separator: ", "))
            }
            if !report.rolesWithoutNodes.isEmpty {
                print("not applied, the lab has no node for: " + report.rolesWithoutNodes.joined(separator: ", "))
            }
        }
    }
}
