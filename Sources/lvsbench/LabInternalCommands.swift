import ArgumentParser
import Foundation
import IPVSControl
import Lab
import SystemKit

/// The command agent inside a UML director's guest (started by the guest's init). It serves
/// only requests that carry the lab's secret, and only on the management interface.
struct LabAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Run the director guest's command agent (internal).",
        discussion: "Example (inside the guest):\n  lvsbench lab agent --listen 198.19.254.2:7070 --device vec0 --secret-file /mnt/agent/secret",
        shouldDisplay: false)
    @Option(help: "host:port to listen on.") var listen: String
    @Option(help: "The only interface to accept connections on (the management link).") var device: String
    @Option(help: "The file holding the lab's 32-byte agent secret.") var secretFile: String

    func run() throws {
        try reportingErrors {
            let secret = try AgentSecret.read(from: secretFile)
            try GuestAgent.serve(listen: listen, device: device, secret: secret)
        }
    }
}

/// Runs one command through a guest agent; what `GuestNode.wrap` returns.
struct LabAgentCallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-call", abstract: "Run a command through a director guest's agent (internal).",
        discussion: "Example:\n  lvsbench lab agent-call --namespace lvsb-default-sw --connect 198.19.254.2:7070 "
            + "--secret-file /run/lvsbench/labs/default/agent.secret -- ipvsadm -Ln",
        shouldDisplay: false)
    @Option(help: "Namespace the agent is reachable from.") var namespace: String
    @Option(help: "Agent host:port.") var connect: String
    @Option(help: "The lab's agent secret file.") var secretFile: String
    @Argument(parsing: .captureForPassthrough) var command: [String] = []

    func run() throws {
        var status: Int32 = 0
        try reportingErrors {
            let argv = command.first == "--" ? Array(command.dropFirst()) : command
            guard !argv.isEmpty else { throw InvalidInput("no command given after --") }
            let r = try GuestAgent.call(argv, address: connect, namespace: namespace, secretFile: secretFile, timeout: nil)
            FileHandle.standardOutput.write(Data(r.stdout.utf8))
            FileHandle.standardError.write(Data(r.stderr.utf8))
            status = r.status
        }
        if status != 0 { throw ExitCode(status) }
    }
}

/// The TCP responder each real runs (see ResponderProtocol).
struct LabResponderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "responder", abstract: "Serve the lab's TCP request/response protocol (internal).",
        discussion: "Example:\n  lvsbench lab responder --listen 0.0.0.0:9000 --name real1", shouldDisplay: false)
    @Option(help: "host:port to listen on.") var listen: String
    @Option(help: "The name written at the start of every response.") var name: String
    @Option(help: "The lab directory this responder belongs to (marks the process as the lab's).") var lab: String?

    func run() throws {
        try reportingErrors { try Responder.serve(listen: listen, name: name) }
    }
}

/// Every IPVS real's counters from the IPVS netlink family of this namespace, as JSON (what
/// the guest agent answers a collector's sample with); `--record` prints the kernel's reply
/// datagrams as hex lines instead, the fixtures of the netlink parser's tests.
struct LabIPVSCountersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvs-counters", abstract: "Print IPVS per-real counters read over netlink (internal).",
        discussion: "Example (in a director):\n  lvsbench lab ipvs-counters", shouldDisplay: false)
    @Flag(help: "Print the reply datagrams as hex, one per line.") var record = false

    func run() throws {
        try reportingErrors {
            let socket = try NetlinkSocket()
            if record { socket.recorded = [] }
            let reals = try IPVSNetlink.realCounters(over: socket)
            if let datagrams = socket.recorded {
                for d in datagrams { print(d.map { String(format: "%02x", $0) }.joined()) }
            } else {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(reals.keyed), as: UTF8.self))
            }
        }
    }
}
