import Foundation
import IPVSControl
import ProxyBalancing
import SystemKit

/// Executes a `LabPlan` step by step, keeping `state` (and its file) ahead of the host: a
/// namespace or process is recorded before it is created, so whatever happens, `down`
/// finds it.
final class LabBuilder {
    let plan: LabPlan
    let directory: String
    let progress: (String) -> Void
    private(set) var state: LabState

    init(plan: LabPlan, directory: String, progress: @escaping (String) -> Void) {
        self.plan = plan
        self.directory = directory
        self.progress = progress
        let nodes = plan.nodes.map { n in
            NodeState(name: n.name, role: n.role, namespace: n.namespace ?? plan.switchNamespace,
                      addresses: n.interfaces.filter { $0.name != "vec0" }.flatMap(\.addresses),
                      loopbackAddresses: n.loopbackAddresses)
        }
        let reals = plan.reals.enumerated().map { i, r in
            RealState(index: i + 1, name: "real\(i + 1)", address: r.address, weight: r.weight, forwarding: r.forwarding)
        }
        state = LabState(spec: plan.spec, name: plan.spec.name, prefix: plan.prefix, mode: plan.spec.mode,
                         directorHost: plan.directorHost, vip: plan.vip, httpPort: plan.httpPort, tcpPort: plan.tcpPort,
                         scheduler: plan.spec.scheduler, persistence: plan.spec.persistence, nodes: nodes, reals: reals,
                         directorLinks: plan.directorLinks, directAddress: plan.directAddress,
                         directClientAddress: plan.directClientAddress, switchNamespace: plan.switchNamespace,
                         agentAddress: plan.guest.map { "\($0.agentHost):\($0.agentPort)" },
                         standbyAgentAddress: plan.standbyGuest.map { "\($0.agentHost):\($0.agentPort)" }, labDirectory: directory,
                         namespaces: [], processes: [], complete: false, ownerPid: getpid(), createdAt: Date(),
                         hostSysctlsTouched: false, ownerStartTime: DetachedProcess.startTime(of: getpid()))
    }

    func build() throws {
        // Private from the run directory down: the lab keeps what root executes and trusts here.
        let runDirectory = LabEnvironment.runDirectory
        try PrivateDirectory.create(directory, from: directory.hasPrefix(runDirectory + "/") ? runDirectory : directory)
        try LabStore.save(state)
        progress("creating \(plan.namespaces.count) namespaces")
        for ns in plan.namespaces {
            try SignalTrap.check()
            state.namespaces.append(ns)
            try LabStore.save(state)
            try ip(["netns", "add", ns])
            try ip(["-n", ns, "link", "set", "lo", "up"])
        }
        try wire()
        try configureNodes()
        if plan.directorHost == .uml { try bootGuests() }
        try installServices()
        try startServers()
        try waitForVIP()
        state.complete = true
        try LabStore.save(state)
    }

    private func ip(_ args: [String]) throws {
        try ProcessRunner.check(["ip"] + args, timeout: 30)
    }

    private func wire() throws {
        for b in plan.bridges {
            try ip(["-n", b.namespace, "link", "add", b.name, "type", "bridge"])
            try ip(["-n", b.namespace, "link", "set", b.name, "up"])
        }
        for v in plan.veths {
            try SignalTrap.check()
            try ip(["-n", v.aNamespace, "link", "add", v.aName, "type", "veth", "peer", "name", v.bName, "netns", v.bNamespace])
            if let bridge = v.bridge { try ip(["-n", v.bNamespace, "link", "set", v.bName, "master", bridge]) }
            try ip(["-n", v.aNamespace, "link", "set", v.aName, "up"])
            try ip(["-n", v.bNamespace, "link", "set", v.bName, "up"])
        }
        let vector = VectorOptions.current
        for t in plan.guests.flatMap(\.taps) {
            if vector.usesVeth {
                let guestEnd = VectorOptions.guestEnd(of: t.name)
                try ip(["-n", t.namespace, "link", "add", t.name, "type", "veth", "peer", "name", guestEnd])
                try ip(["-n", t.namespace, "link", "set", guestEnd, "up"])
                // A packet socket hands the guest whatever checksum state the sender left:
                // a partial one from a namespace's TCP. Computed here, on the way in, the
                // guest receives complete checksums as it does from a tap.
                try ProcessRunner.check(["ip", "netns", "exec", t.namespace, "ethtool", "-K", t.name, "tx", "off"])
            } else {
                try ip(["-n", t.namespace, "tuntap", "add", t.name, "mode", "tap"])
            }
            if let bridge = t.bridge { try ip(["-n", t.namespace, "link", "set", t.name, "master", bridge]) }
            if let address = t.address { try ip(["-n", t.namespace, "addr", "add", address, "dev", t.name]) }
            try ip(["-n", t.namespace, "link", "set", t.name, "up"])
        }
    }

    private func configureNodes() throws {
        progress("configuring addresses, routes and sysctls")
        var decapObject: String?
        let useTunl0 = plan.nodes.contains { !$0.decapInterfaces.isEmpty } && DecapProgram.hostHasIPIP()
        for node in plan.nodes {
            guard let ns = node.namespace else { continue }
            try SignalTrap.check()
            for s in node.sysctls {
                try ProcessRunner.check(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "\(s.key)=\(s.value)"])
            }
            for iface in node.interfaces {
                for a in iface.addresses { try ip(["-n", ns, "addr", "add", a, "dev", iface.name]) }
            }
            for a in node.loopbackAddresses { try ip(["-n", ns, "addr", "add", a, "dev", "lo"]) }
            for r in node.routes { try ip(["-n", ns, "route", "add", r.destination, "via", r.via]) }
            if !node.decapInterfaces.isEmpty && useTunl0 {
                // The kernel decapsulates: tunl0 exists in every namespace once ipip is loaded.
                try ip(["-n", ns, "link", "set", "tunl0", "up"])
                try ProcessRunner.check(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.conf.tunl0.rp_filter=0"])
                continue
            }
            for iface in node.decapInterfaces {
                if decapObject == nil { decapObject = try DecapProgram.object(in: directory) }
                try ProcessRunner.check(["tc", "-n", ns, "qdisc", "add", "dev", iface, "clsact"])
                try ProcessRunner.check(["tc", "-n", ns, "filter", "add", "dev", iface, "ingress",
                                         "bpf", "da", "obj", decapObject!, "sec", "tc"])
            }
        }
    }

    /// Starts every director's guest, then waits for each one's agent: director2 boots while
    /// director1 does, so a second director costs less than a second boot.
    private func bootGuests() throws {
        let seats = DirectorSeat.seats(plan.spec.directors)
        progress(seats.count == 1 ? "booting the user-mode Linux director" : "booting \(seats.count) user-mode Linux directors")
        let modroot = directory + "/modroot/lib/modules"
        try FileManager.default.createDirectory(atPath: modroot, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: modroot + "/" + GuestInit.kernelRelease,
                                                   withDestinationPath: GuestInit.moduleSource + "/" + GuestInit.kernelRelease)
        try FileManager.default.createDirectory(atPath: directory + "/uml", withIntermediateDirectories: true)
        let secretFile = AgentSecret.path(labDirectory: directory)
        try AgentSecret.generate().write(to: secretFile)
        var booting: [(seat: DirectorSeat, record: Int, console: String)] = []
        for seat in seats {
            try SignalTrap.check()
            let initPath = GuestInit.initPath(labDirectory: directory, node: seat.name)
            let folder = URL(fileURLWithPath: initPath).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try AtomicFile.write(GuestInit.script(plan: plan, labDirectory: directory, executable: LabEnvironment.executable,
                                                  node: seat.name), to: initPath, mode: 0o700)
            let umid = LabState.guestUmid(prefix: plan.prefix, lab: plan.spec.name, node: seat.name)
            let console = folder + "/guest-console.log"
            try spawn(GuestInit.bootCommand(plan: plan, labDirectory: directory, umid: umid, node: seat.name),
                      label: "uml \(seat.name)", marker: "umid=\(umid)", log: console)
            booting.append((seat, state.processes.count - 1, console))
        }
        for guest in booting {
            try waitForAgent(of: guest.seat, pid: state.processes[guest.record].pid, console: guest.console, secretFile: secretFile)
        }
    }

    /// Returns once director `seat`'s agent answers, or throws when its guest exits or 90 s pass.
    private func waitForAgent(of seat: DirectorSeat, pid: Int32, console: String, secretFile: String) throws {
        let guest = plan.guest(for: seat.name)!
        let deadline = Date().addingTimeInterval(90)
        var lastError: Error?
        while Date() < deadline {
            try SignalTrap.check()
            do {
                _ = try GuestAgent.call(["true"], address: "\(guest.agentHost):\(guest.agentPort)",
                                        namespace: plan.switchNamespace, secretFile: secretFile, timeout: 10, connectTimeout: 1)
                return
            } catch { lastError = error }
            guard DetachedProcess.isAlive(pid) else {
                throw RuntimeFailure("the UML \(seat.name) exited during boot: see \(console)")
            }
            usleep(200_000)
        }
        throw RuntimeFailure("the UML \(seat.name)'s agent did not answer within 90 s (\(lastError.map { "\($0)" } ?? "")): see \(console)")
    }

    private func installServices() throws {
        progress(plan.spec.directors == 1 ? "configuring IPVS on the director" : "configuring IPVS on both directors")
        let balancer = RunningLab(state: state).balancer
        let specs = plan.services.map { service in
            ServiceSpec(service: service, scheduler: plan.spec.scheduler, persistence: plan.spec.persistence,
                        reals: plan.reals.map { RealSpec(address: $0.address, port: service.port,
                                                         forwarding: $0.forwarding, weight: $0.weight) })
        }
        if let standby = RunningLab(state: state).standbyBalancer {
            // The standby holds the same services, ready for the VIP to move to it.
            try standby.install(all: specs)
        }
        guard let proxy = balancer as? HAProxyBalancer, plan.directorHost == .native else {
            return try balancer.install(all: specs)
        }
        // A namespace's end does not end its processes: the lab records HAProxy's master (its
        // workers share its process group) so that `down` stops it. A guest's ends with it.
        state.processes.append(ProcessRecord(pid: 0, label: "haproxy director", marker: proxy.configPath, group: true))
        try LabStore.save(state)
        try balancer.install(all: specs)
        guard let pid = (try? String(contentsOfFile: proxy.pidPath, encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            throw RuntimeFailure("HAProxy started on the director but wrote no pid to \(proxy.pidPath)")
        }
        state.processes[state.processes.count - 1].pid = pid
        try LabStore.save(state)
    }

    private func startServers() throws {
        progress("starting nginx and the TCP responder on \(plan.reals.count) reals")
        for node in plan.nodes where node.role == .real {
            try SignalTrap.check()
            try LabBuilder.startServers(real: node.name, namespace: node.namespace!,
                                        address: String(node.interfaces[0].addresses[0].split(separator: "/")[0]),
                                        into: &state)
        }
    }

    /// Starts real `name`'s nginx and TCP responder in `namespace`, recording each in `state`
    /// (`spawn`). `lab up` and `RunningLab.startServers` (a fault scenario's restart) share
    /// it, so a restarted real runs exactly what `lab up` started.
    static func startServers(real name: String, namespace ns: String, address: String, into state: inout LabState) throws {
        let dir = state.labDirectory + "/" + name
        try FileManager.default.createDirectory(atPath: dir + "/tmp", withIntermediateDirectories: true)
        try AtomicFile.write(RealServers.nginxConfig(name: name, address: address, directory: dir, port: state.httpPort),
                             to: dir + "/nginx.conf")
        try spawn(RealServers.nginxCommand(namespace: ns, directory: dir), label: "nginx \(name)",
                  marker: dir + "/nginx.conf", log: dir + "/nginx.log", into: &state)
        try spawn(RealServers.responderCommand(namespace: ns, name: name, port: state.tcpPort, directory: dir),
                  label: "responder \(name)", marker: "--lab \(dir)", log: dir + "/responder.log", into: &state)
    }

    private func spawn(_ argv: [String], label: String, marker: String, log: String) throws {
        try LabBuilder.spawn(argv, label: label, marker: marker, log: log, into: &state)
    }

    /// Records the process (pid 0 as intent) before spawning, then its pid right after.
    static func spawn(_ argv: [String], label: String, marker: String, log: String, into state: inout LabState) throws {
        state.processes.append(ProcessRecord(pid: 0, label: label, marker: marker, group: true))
        try LabStore.save(state)
        let pid = try DetachedProcess.spawn(argv, log: log)
        state.processes[state.processes.count - 1].pid = pid
        try LabStore.save(state)
    }

    private func waitForVIP() throws {
        progress("waiting for the VIP to answer from the client")
        let client = NamespaceNode(name: "client", role: .client, namespace: state.node(named: "client")!.namespace)
        let url = "http://\(plan.vip):\(plan.httpPort)/"
        let ports = [plan.httpPort, plan.tcpPort]
        let deadline = Date().addingTimeInterval(30)
        var last = ""
        while Date() < deadline {
            try SignalTrap.check()
            let r = try client.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "2", url], timeout: 5)
            last = r.stdout
            if r.stdout == "200" && responderReady(ports[1]) { return }
            usleep(200_000)
        }
        throw RuntimeFailure("the VIP \(url) did not answer 200 from the client within 30 s (last: '\(last)'): see the logs in \(directory)")
    }

    /// Whether every real's responder accepts connections (checked in its own namespace).
    private func responderReady(_ port: Int) -> Bool {
        plan.nodes.filter { $0.role == .real }.allSatisfy { node in
            (try? Socket.connect("127.0.0.1:\(port)", namespace: node.namespace, timeout: 1)).map { $0.close(); return true } ?? false
        }
    }
}
