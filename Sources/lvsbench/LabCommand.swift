import ArgumentParser
import Foundation
import Lab
import SystemKit
import Vocabulary

/// `lvsbench lab ...`: build, inspect, change and remove labs.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Build and manage a lab: client, router, IPVS director and real servers.",
        discussion: """
        Example:
          lvsbench lab up --mode dr --reals 4 --scheduler wrr --weights 5,5,1,1
          lvsbench lab exec director -- ipvsadm -Ln --stats
          lvsbench lab down
        """,
        subcommands: [LabUpCommand.self, LabStatusCommand.self, LabExecCommand.self, LabSetCommand.self,
                      LabDownCommand.self, LabAgentCommand.self, LabAgentCallCommand.self, LabResponderCommand.self,
                      LabIPVSCountersCommand.self]
    )
}

/// The lab `name` names, or the only lab up when it is nil, saying on stderr which one.
func resolveLab(_ name: String?) throws -> String {
    try LabResolver.resolve(name) { FileHandle.standardError.write(Data("lvsbench: \($0)\n".utf8)) }
}

/// Progress lines go to stderr only when it is a terminal.
func labProgress(_ line: String) {
    if isatty(2) != 0 { Console.error("lab: \(line)\n") }
}

func printLab(_ state: LabState) {
    print("lab \(state.name): mode \(state.mode.rawValue), director \(state.directorHost.rawValue), scheduler \(state.scheduler.rawValue)")
    print("VIP \(state.vip) (http :\(state.httpPort), tcp responder :\(state.tcpPort))")
    for node in state.nodes {
        var line = "  \(node.name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(node.namespace.padding(toLength: 22, withPad: " ", startingAt: 0)) \(node.addresses.joined(separator: " "))"
        if !node.loopbackAddresses.isEmpty { line += "  lo: " + node.loopbackAddresses.joined(separator: " ") }
        if let real = state.reals.first(where: { $0.name == node.name }) {
            line += "  [\(real.forwarding.rawValue), weight \(real.weight)]"
        }
        print(line)
    }
    print("direct path: client \(state.directClientAddress) -> real1 \(state.directAddress)")
}

struct LabUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Build a lab and wait until its VIP answers from the client.",
        discussion: """
        Example:
          lvsbench lab up --mode nat --reals 4 --scheduler wrr --weights 5,5,1,1
          lvsbench lab up --mode dr --directors 2
          lvsbench lab exec director2 -- ipvsadm -Ln

        Modes: nat, dr, tun, mixed.
        Directors: auto (native where the host kernel has IPVS, else uml), native, uml.
        --directors 2 adds director2 on the same links, with the same IPVS services but
        without the VIP (and in NAT the DIP), for failover: its addresses end in .3.
        """
    )
    @Option(help: "nat, dr, tun or mixed. (default: nat)", transform: OptionValue.parsed(LabMode.init(parsing:)))
    var mode = LabMode.nat
    @Option(help: "Number of real servers (1-64).") var reals = 2
    @Option(help: "IPVS scheduler: rr, wrr, lc, wlc, sh, dh, sed, nq, lblc, lblcr, mh, fo, ovf. (default: wrr)",
            transform: OptionValue.parsed(Scheduler.init(parsing:)))
    var scheduler = Scheduler.wrr
    @Option(help: "One weight per real, e.g. 5,5,1,1 (0-65535; default 1 each).",
            transform: OptionValue.parsed(Weights.parseList))
    var weights: [Int]?
    @Option(help: "Persistence timeout in seconds (ipvsadm -p).") var persistence: Int?
    @Option(help: "auto, native or uml. (default: auto)", transform: OptionValue.parsed(DirectorChoice.init(parsing:)))
    var director = DirectorChoice.auto
    @Option(help: "What balances the VIP on the director: ipvs, nftables, iptables or haproxy. (default: ipvs)",
            transform: OptionValue.parsed(BalancerKind.init(parsing:)))
    var balancer = BalancerKind.ipvs
    @Option(help: "1, or 2 for a standby director2 on the same links (ipvs; nat, dr or tun).") var directors = 1
    @Option(help: "Lab name ([a-z0-9-], at most 12 characters).") var name: String?
    @Flag(help: "Print the lab state as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            try Privileges.requireRoot(for: "lab up")
            let spec = try LabSpec.validated(name: name, mode: mode, reals: reals, scheduler: scheduler, weights: weights,
                                             persistence: persistence, director: director, balancer: balancer,
                                             directors: directors)
            let lab = try LabEngine.up(spec, progress: labProgress)
            if json { print(String(decoding: try JSONCoding.encode(lab.state), as: UTF8.self), terminator: "") } else { printLab(lab.state) }
        }
    }
}

struct LabStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a lab's nodes, addresses and VIP.",
        discussion: "Example:\n  lvsbench lab status --json"
    )
    @Option(help: "Lab name (default: the only lab up).") var name: String?
    @Flag(help: "Print the lab state as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            try Privileges.requireRoot(for: "lab status")
            let name = try resolveLab(self.name)
            let state = try LabStore.load(name)
            if json { print(String(decoding: try JSONCoding.encode(state), as: UTF8.self), terminator: "") } else {
                printLab(state)
                if !state.complete { print("(incomplete: remove it with `lvsbench lab down --name \(name)`)") }
            }
        }
    }
}

struct LabExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command in a lab node, passing its output and exit code through.",
        discussion: "Example:\n  lvsbench lab exec director -- ipvsadm -Ln --stats\n  lvsbench lab exec client -- curl -s http://198.18.1.100/"
    )
    @Option(help: "Lab name (default: the only lab up).") var name: String?
    @Argument(help: "client, router, director, director2 (with --directors 2), real1 ... realN.") var node: String
    @Argument(parsing: .captureForPassthrough, help: "The command, after --.") var command: [String] = []

    func run() throws {
        var status: Int32 = 0
        try reportingErrors {
            try Privileges.requireRoot(for: "lab exec")
            let argv = command.first == "--" ? Array(command.dropFirst()) : command
            guard !argv.isEmpty else { throw InvalidInput("no command given: e.g. lvsbench lab exec director -- ipvsadm -Ln") }
            let target = try LabEngine.open(name: resolveLab(name)).node(named: node)
            if target is NamespaceNode {
                status = try ProcessRunner.passthrough(target.wrap(argv))
            } else {
                let r = try target.run(argv, timeout: nil)
                FileHandle.standardOutput.write(Data(r.stdout.utf8))
                FileHandle.standardError.write(Data(r.stderr.utf8))
                status = r.status
            }
        }
        if status != 0 { throw ExitCode(status) }
    }
}

struct LabSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change the scheduler and weights of a running lab (no rebuild), all or nothing.",
        discussion: "Example:\n  lvsbench lab set --scheduler wlc --weights 3,1\n  lvsbench lab set --real 2 --weight 0"
    )
    @Option(help: "Lab name.") var name = LabSpec.defaultName
    @Option(help: "New scheduler.", transform: OptionValue.parsed(Scheduler.init(parsing:))) var scheduler: Scheduler?
    @Option(help: "One weight per real, e.g. 5,5,1,1.", transform: OptionValue.parsed(Weights.parseList))
    var weights: [Int]?
    @Option(help: "Change only this real's weight (with --weight).") var real: Int?
    @Option(help: "The weight for --real.") var weight: Int?

    func run() throws {
        try reportingErrors {
            try Privileges.requireRoot(for: "lab set")
            let lab = try LabEngine.open(name: name)
            if real != nil && weight == nil { throw InvalidInput("--real needs --weight, e.g. --real 2 --weight 0") }
            if real == nil && weight != nil { throw InvalidInput("--weight needs --real, or give --weights for every real") }
            let fittedWeights = try weights.map { try Weights.fitted($0, reals: lab.state.reals.count) }
            guard scheduler != nil || fittedWeights != nil || real != nil else {
                throw InvalidInput("nothing to change: give --scheduler, --weights or --real N --weight W")
            }
            SignalTrap.install()
            try lab.reconfigure(scheduler: scheduler, weights: fittedWeights, real: real.flatMap { r in weight.map { (r, $0) } },
                                interrupted: { SignalTrap.interrupted })
            printLab(try LabStore.load(name))
        }
    }
}

struct LabDownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Remove a lab (idempotent); --all removes every lab and leftovers of killed runs.",
        discussion: """
        --all skips a lab whose owner still runs (an `lvsbench run` using it, or a `lab up` still building it; a lab made by a finished `lab up` has no live owner) and says so on stderr; skipping is not an error (exit 0). --force removes those too.

        A lab whose state.json cannot be read is removed by its name (its namespaces, and processes it recorded or started); lab down then exits 1 saying what is left, and keeps a tuning undo log (tuning.json) whose host-wide values are still changed.

        Example:
          lvsbench lab down
          lvsbench lab down --all
        """
    )
    @Option(help: "Lab name.") var name: String?
    @Flag(help: "Remove every lab under LVSBENCH_RUN_DIR and namespaces with this LVSBENCH_PREFIX.") var all = false
    @Flag(help: "With --all: also remove labs whose owner process still runs.") var force = false

    func run() throws {
        try reportingErrors {
            try Privileges.requireRoot(for: "lab down")
            // Teardown is the cleanup: a signal must not leave half a lab behind.
            SignalTrap.shield()
            if all {
                guard name == nil else { throw InvalidInput("give either --name or --all, not both") }
                try LabEngine.downAll(force: force) { FileHandle.standardError.write(Data("lvsbench: \($0)\n".utf8)) }
            } else {
                guard !force else { throw InvalidInput("--force goes with --all: lab down --name removes the named lab anyway") }
                try LabEngine.down(name: name ?? LabSpec.defaultName)
            }
        }
    }
}
