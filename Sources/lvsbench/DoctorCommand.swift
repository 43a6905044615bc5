import ArgumentParser
import Foundation
import Lab
import SystemKit

/// `lvsbench doctor`: what the host offers the lab and which director host `auto` picks.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check what this host offers the lab (kernel IPVS, ipip, user-mode Linux, BPF decap, tools).",
        discussion: "Example:\n  lvsbench doctor\n  lvsbench doctor --json"
    )
    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let r = HostReport.probe()
            if json {
                print(String(decoding: try JSONCoding.encode(r), as: UTF8.self), terminator: "")
            } else {
                func yes(_ b: Bool) -> String { b ? "yes" : "no" }
                print("kernel \(r.kernel)")
                print("  IPVS in the host kernel:   \(yes(r.kernelIPVS))")
                print("  ipip in the host kernel:   \(yes(r.kernelIPIP))\(r.kernelIPIP ? "" : " (TUN reals use the tc-BPF decapsulator)")")
                print("  user-mode Linux:           \(r.userModeLinux ?? "not installed (apt-get install user-mode-linux)")")
                print("  UML IPVS modules:          \(yes(r.umlModules))")
                print("  BPF decap (clang, tc):     \(yes(r.bpfDecap))")
                for t in r.tools {
                    print("  \(t.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(t.path == nil ? "missing" : (t.version ?? "?"))")
                }
                print("director directorHost for --director auto: \(r.autoDirectorHost.rawValue)")
                if !r.labPossible { print("the lab cannot run here: install what is missing (scripts/setup.sh)") }
            }
            if !r.labPossible { throw ExitCode(ExitStatus.failure.rawValue) }
        }
    }
}
