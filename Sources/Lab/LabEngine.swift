import Foundation
import IPVSControl
import SystemKit
import Vocabulary

/// Builds, opens and removes labs. `up` validates everything before touching the host,
/// records each namespace and process in the state before creating it, and tears down what
/// it built when any step fails or a signal arrives.
public enum LabEngine {
    /// Picks the director host: native needs kernel IPVS on the host. An nftables director is
    /// native: the user-mode Linux kernel builds no nftables nat chains (nft_chain_nat), while
    /// any distribution kernel has them (and this host's has no IPVS to need a guest for).
    public static func resolveDirectorHost(_ choice: DirectorChoice, balancer: BalancerKind = .ipvs) throws -> DirectorHost {
        if balancer == .nftables {
            guard choice != .uml else {
                throw InvalidInput("the UML director's kernel has no nftables nat chains (nft_chain_nat): use --director native or auto, or --balancer iptables")
            }
            return .native
        }
        switch choice {
        case .uml: return .uml
        case .native:
            guard hostHasIPVS(tryLoading: true) || balancer != .ipvs else {
                throw InvalidInput("the host kernel has no IPVS (no /proc/net/ip_vs, modprobe ip_vs fails): use --director uml")
            }
            return .native
        case .auto: return hostHasIPVS(tryLoading: true) ? .native : .uml
        }
    }

    /// Whether /proc/net/ip_vs exists, optionally after `modprobe ip_vs`.
    public static func hostHasIPVS(tryLoading: Bool) -> Bool {
        if FileManager.default.fileExists(atPath: "/proc/net/ip_vs") { return true }
        guard tryLoading, ToolLocator.find("modprobe") != nil,
              (try? ProcessRunner.run(["modprobe", "ip_vs"], timeout: 10))?.succeeded == true else { return false }
        return FileManager.default.fileExists(atPath: "/proc/net/ip_vs")
    }

    /// Builds the lab; returns once the VIP answers HTTP from the client. Installs
    /// `SignalTrap`, so SIGINT/SIGTERM/SIGHUP stop the build and tear it down; a long-running caller
    /// keeps polling `SignalTrap.check()` afterwards, as the default action no longer applies.
    public static func up(_ spec: LabSpec, progress: @escaping (String) -> Void = { _ in }) throws -> RunningLab {
        try Privileges.requireRoot(for: "lab up")
        try spec.validate()
        try PrivateDirectory.create(LabEnvironment.labsDirectory, from: LabEnvironment.runDirectory)
        let prefix = LabEnvironment.prefix
        if FileManager.default.fileExists(atPath: LabEnvironment.labDirectory(spec.name)) {
            throw InvalidInput("lab name '\(spec.name)' is already in use: pick another --name or run `lvsbench lab down --name \(spec.name)`")
        }
        let directorHost = try resolveDirectorHost(spec.director, balancer: spec.balancer)
        if directorHost == .uml { try VectorOptions.validate() }
        let plan = Topology.plan(spec, directorHost: directorHost, prefix: prefix)
        try requireTools(plan)
        // Claimed before the namespace check, so that of two `lab up` of one name the loser
        // stops here, and whatever it finds after is not the winner's.
        try claimDirectory(spec.name)
        do {
            let existing = Set(try listNamespaces())
            if let clash = plan.namespaces.first(where: existing.contains) {
                throw InvalidInput("namespace \(clash) already exists: run `lvsbench lab down --all` or pick another --name")
            }
        } catch {
            rmdir(LabEnvironment.labDirectory(spec.name))
            throw error
        }
        SignalTrap.install()
        let builder = LabBuilder(plan: plan, directory: LabEnvironment.labDirectory(spec.name), progress: progress)
        do {
            try builder.build()
            // A signal during the last step is noticed here: `lab up` was interrupted.
            try SignalTrap.check()
        } catch {
            progress(error is Interrupted ? "interrupted, tearing down" : "lab up failed, tearing down: \(error)")
            // An interrupted build has no error to explain: its logs are not kept.
            if !SignalTrap.interrupted { keepLogs(of: builder.state) }
            // A child killed by the signal fails first; report the interruption (with what
            // the teardown could not remove), never the child's exit.
            let left = CleanupFailed.attempt { try down(state: builder.state) }
            throw CleanupFailed.outcome(of: error, left: left.map { [$0] } ?? [], interrupted: SignalTrap.interrupted)
        }
        return RunningLab(state: builder.state)
    }

    /// The lab `name` made by an earlier process.
    public static func open(name: String) throws -> RunningLab {
        try LabSpec.validateName(name)
        let state = try LabStore.load(name)
        guard state.complete else {
            throw RuntimeFailure("lab \(name) did not finish coming up: remove it with `lvsbench lab down --name \(name)`")
        }
        return RunningLab(state: state)
    }

    /// Copies a failed lab's logs to `$LVSBENCH_RUN_DIR/failed-<name>/` before teardown
    /// removes its directory, so the error message's "see the logs" still holds.
    static func keepLogs(of state: LabState) {
        let target = LabEnvironment.runDirectory + "/failed-" + state.name
        try? FileManager.default.removeItem(atPath: target)
        try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        guard let files = FileManager.default.enumerator(atPath: state.labDirectory) else { return }
        for case let file as String in files where file.hasSuffix(".log") || file.hasSuffix("guest-init") {
            let flat = file.replacingOccurrences(of: "/", with: "-")
            try? FileManager.default.copyItem(atPath: state.labDirectory + "/" + file, toPath: target + "/" + flat)
        }
    }

    /// Removes lab `name`; succeeds when there is no such lab (idempotent). When its state
    /// cannot be read, removes what it finds by the lab's name instead and throws, saying what
    /// is left (`reapByName`).
    public static func down(name: String) throws {
        try LabSpec.validateName(name)
        try Privileges.requireRoot(for: "lab down")
        guard FileManager.default.fileExists(atPath: LabEnvironment.labDirectory(name)) else { return }
        let state: LabState
        do { state = try LabStore.load(name) } catch let error as LabStateError {
            try reapByName(name, problem: error)
            return
        }
        try down(state: state)
    }

    /// Removes every lab under this run directory, then reaps namespaces `<prefix>-*` of no
    /// lab (a `lab up` killed before it wrote its first record). A lab whose owner still runs
    /// (`lvsbench run`, or a `lab up` still building) is skipped unless `force`, and said so
    /// through `notice`: that is not a failure. Goes on past a lab that fails and throws at
    /// the end, naming each.
    public static func downAll(force: Bool = false, notice: (String) -> Void = { _ in }) throws {
        try Privileges.requireRoot(for: "lab down --all")
        let dirs = (try? FileManager.default.contentsOfDirectory(atPath: LabEnvironment.labsDirectory)) ?? []
        var failures: [String] = []
        for name in dirs.sorted() where (try? LabSpec.validateName(name)) != nil {
            if !force, let owner = liveOwner(ofLab: name) {
                let command = DetachedProcess.commandLine(of: owner).map { " (\($0.prefix(60)))" } ?? ""
                notice("skipped lab \(name): its owner, pid \(owner)\(command), is still running; "
                       + "it removes the lab when it ends, or use `lvsbench lab down --all --force`")
                continue
            }
            do { try down(name: name) } catch { failures.append("\(error)") }
        }
        let prefix = LabEnvironment.prefix
        for ns in try listNamespaces() where ns.hasPrefix(prefix + "-") {
            let labs = (try? FileManager.default.contentsOfDirectory(atPath: LabEnvironment.labsDirectory)) ?? []
            if labs.contains(where: { LabState.namespace(ns, belongsTo: $0, prefix: prefix) }) { continue }
            stopProcesses(inNamespace: ns)
            _ = try? ProcessRunner.run(["ip", "netns", "delete", ns], timeout: 30)
        }
        if !failures.isEmpty { throw RuntimeFailure(failures.joined(separator: "; ")) }
    }

    /// Stops what the state records, then deletes its namespaces (taking every link, tap and
    /// bridge with them) and its directory.
    public static func down(state: LabState) throws {
        let unrestored = restoreRecordedSysctls(state)
        powerOffGuests(state)
        var survivors: [String] = []
        for p in state.processes.reversed()
        where !DetachedProcess.stop(p.pid, marker: p.marker, group: p.group) { survivors.append("\(p.label) (pid \(p.pid))") }
        for ns in state.namespaces.reversed() {
            stopProcesses(inNamespace: ns)
            let r = try ProcessRunner.run(["ip", "netns", "delete", ns], timeout: 30)
            if !r.succeeded && !r.stderr.contains("No such file") {
                throw CommandFailed(argv: ["ip", "netns", "delete", ns], result: r)
            }
        }
        let undoLog = SysctlUndoLog.path(labDirectory: state.labDirectory)
        if unrestored.isEmpty || !FileManager.default.fileExists(atPath: undoLog) {
            try? FileManager.default.removeItem(atPath: state.labDirectory)
        } else {
            removeEverything(in: state.labDirectory, except: undoLog)
        }
        if !unrestored.isEmpty {
            let advice = FileManager.default.fileExists(atPath: undoLog) ? "left: " + undoLogAdvice(labDirectory: state.labDirectory)
                : "set them back by hand"
            throw RuntimeFailure("lab \(state.name): could not restore \(unrestored.joined(separator: "; ")); \(advice)")
        }
        if !survivors.isEmpty {
            throw RuntimeFailure("lab \(state.name): could not stop \(survivors.joined(separator: ", "))")
        }
    }

    /// Asks each live uml director (director1, and director2 when there is one) to power off,
    /// then waits up to 5 s for them together; what is still running is then stopped by pid.
    static func powerOffGuests(_ state: LabState) {
        guard state.directorHost == .uml else { return }
        let agents = [("uml director", state.agentAddress), ("uml director2", state.standbyAgentAddress)]
        var running: [Int32] = []
        for (label, agent) in agents {
            guard let agent, let uml = state.processes.first(where: { $0.label == label }),
                  DetachedProcess.isAlive(uml.pid) else { continue }
            _ = try? GuestAgent.call(["poweroff", "-f"], address: agent, namespace: state.switchNamespace,
                                     secretFile: AgentSecret.path(labDirectory: state.labDirectory),
                                     timeout: 5, connectTimeout: 1, replyTimeout: 0.5)
            running.append(uml.pid)
        }
        let deadline = Date().addingTimeInterval(5)
        while running.contains(where: DetachedProcess.isAlive) && Date() < deadline { usleep(20_000) }
    }

    /// Tuning hook: writes back the sysctls and IPVS timeouts that `tune apply` recorded in
    /// `<lab dir>/tuning.json`, while the nodes still exist (a host-wide sysctl would
    /// otherwise outlive the lab). Returns what could not be restored.
    static func restoreRecordedSysctls(_ state: LabState) -> [String] {
        guard state.complete,
              FileManager.default.fileExists(atPath: SysctlUndoLog.path(labDirectory: state.labDirectory)) else { return [] }
        let lab = RunningLab(state: state)
        do {
            return try SysctlUndoLog.restoreAndRemove(labDirectory: state.labDirectory,
                                                      nodes: lab.nodes)
        } catch {
            return ["\(error)"]
        }
    }

    /// Kills processes still inside a lab namespace that this run directory started (their
    /// command line names it): what a killed `lab up` spawned but had not yet recorded.
    /// Returns the pids it found, and those of them it could not stop.
    @discardableResult
    static func stopProcesses(inNamespace ns: String) -> (found: [Int32], left: [Int32]) {
        guard let r = try? ProcessRunner.run(["ip", "netns", "pids", ns], timeout: 10), r.succeeded else { return ([], []) }
        let runDir = LabEnvironment.runDirectory
        var found: [Int32] = [], left: [Int32] = []
        for pid in r.stdout.split(separator: "\n").compactMap({ Int32($0) }) where pid != getpid() {
            if let cmd = DetachedProcess.commandLine(of: pid),
               cmd.contains(runDir + "/") {
                found.append(pid)
                if !DetachedProcess.stop(pid, marker: cmd, group: getpgid(pid) == pid) { left.append(pid) }
            }
        }
        return (found, left)
    }

    public static func listNamespaces() throws -> [String] {
        let r = try ProcessRunner.check(["ip", "netns", "list"])
        return r.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    static func requireTools(_ plan: LabPlan) throws {
        for tool in ["ip", "nginx", "curl", "sysctl", "ipvsadm"] { _ = try ToolLocator.require(tool) }
        switch plan.spec.balancer {
        case .nftables: _ = try ToolLocator.require("nft")
        case .iptables: _ = try ToolLocator.require("iptables-legacy-restore")
        case .haproxy: _ = try ToolLocator.require("haproxy")
        case .ipvs: break
        }
        if plan.directorHost == .uml {
            _ = try ToolLocator.require("linux.uml")
            let modules = GuestInit.moduleSource + "/" + GuestInit.kernelRelease
            guard FileManager.default.fileExists(atPath: modules) else {
                throw MissingTool(tool: modules, package: "user-mode-linux")
            }
            if VectorOptions.current.usesVeth { _ = try ToolLocator.require("ethtool") }
        }
        if plan.nodes.contains(where: { !$0.decapInterfaces.isEmpty }) && !DecapProgram.hostHasIPIP() {
            _ = try ToolLocator.require("tc")
            guard DecapProgram.clang() != nil else { throw MissingTool(tool: "clang", package: "clang") }
        }
    }
}
