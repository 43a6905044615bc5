import ArgumentParser
import Foundation
import Lab
import SystemKit
import Tuner

struct TuneDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show the lab's current values of everything the applied profile changed, against what it found.",
        discussion: "Example: lvsbench tune diff --name default --json"
    )

    @Option(help: "The lab (default: the only lab up).")
    var name: String?

    @Flag(help: "Print JSON: {profile, rows: [{node, key, found, applied, now}]}.")
    var json = false

    struct Output: Codable {
        var profile: String
        var rows: [TuningDiffRow]
    }

    func run() throws {
        try reportingErrors {
            try Privileges.requireRoot(for: "tune diff")
            let name = try resolveLab(self.name)
            let lab = try LabEngine.open(name: name)
            let (origin, rows) = try Tuner.diff(TuningTarget(lab: lab))
            if json {
                FileHandle.standardOutput.write(try JSONCoding.encode(Output(profile: origin, rows: rows)))
                return
            }
            print("lab \(name), tuned with \(origin): node, key, found -> now")
            for row in rows {
                let now = row.now ?? "(unreadable)"
                let note = row.now == row.applied ? "" : "  (profile set \(row.applied))"
                print("  \(row.node)  \(row.key)  \(row.found) -> \(now)\(note)")
            }
        }
    }
}

struct TuneResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Restore every value the applied profile changed.",
        discussion: "Example: lvsbench tune reset --name default"
    )

    @Option(help: "The lab (default: the only lab up).")
    var name: String?

    @Flag(help: "Print the restored entries as JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            try Privileges.requireRoot(for: "tune reset")
            let name = try resolveLab(self.name)
            let lab = try LabEngine.open(name: name)
            let restored = try Tuner.reset(TuningTarget(lab: lab))
            if json {
                FileHandle.standardOutput.write(try JSONCoding.encode(restored))
                return
            }
            if restored.isEmpty {
                print("lab \(name) has no tuning to restore")
            } else {
                print("restored \(restored.count) value\(restored.count == 1 ? "" : "s") in lab \(name)")
            }
        }
    }
}
