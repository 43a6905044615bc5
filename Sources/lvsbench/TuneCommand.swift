import ArgumentParser
import Foundation
import SystemKit
import Tuner

/// `lvsbench tune ...`: sysctl profiles and IPVS timeouts, applied to a running lab and restored.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Apply kernel tuning profiles (sysctls, IPVS timeouts) to a running lab, and restore them.",
        discussion: """
        Profiles are YAML files in profiles/ (or $LVSBENCH_PROFILES). Every key is checked on every node before anything changes; the values found are restored by `tune reset`, `lab down`, Ctrl-C and any failure.

        Example:
          lvsbench tune list
          lvsbench tune show lvs-tutorial
          lvsbench tune apply conn-churn --name default
          lvsbench tune diff
          lvsbench tune reset
        """,
        subcommands: [TuneListCommand.self, TuneShowCommand.self, TuneApplyCommand.self, TuneDiffCommand.self, TuneResetCommand.self]
    )
}

struct TuneListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the profiles in the profiles directory.",
        discussion: "Example: lvsbench tune list --json"
    )

    @Flag(help: "Print JSON: [{name, description, inherits, file}].")
    var json = false

    struct Entry: Codable {
        var name: String
        var description: String
        var inherits: String?
        var file: String
    }

    func run() throws {
        try reportingErrors {
            let library = try ProfileLibrary.locate()
            let entries = try library.names().map { name -> Entry in
                let profile = try library.load(name)
                return Entry(name: name, description: profile.description, inherits: profile.inherits, file: profile.source)
            }
            if json {
                FileHandle.standardOutput.write(try JSONCoding.encode(entries))
                return
            }
            let width = entries.map(\.name.count).max() ?? 0
            for entry in entries {
                let summary = entry.description.components(separatedBy: ". ").first ?? ""
                print(entry.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + summary)
            }
        }
    }
}

struct TuneShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a profile with everything it inherits.",
        discussion: "Example: lvsbench tune show conn-churn --json"
    )

    @Argument(help: "A profile name (profiles/<name>.yaml) or a path to a .yaml file.")
    var profile: String

    @Flag(help: "Print the resolved profile as JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let resolved = try ProfileLibrary.locate().resolve(profile)
            if json {
                FileHandle.standardOutput.write(try JSONCoding.encode(resolved))
                return
            }
            print(ProfileText.render(resolved))
        }
    }
}
