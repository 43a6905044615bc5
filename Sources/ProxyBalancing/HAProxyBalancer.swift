import Balancing
import Foundation
import SystemKit
import Vocabulary

/// The balancer as a userspace proxy does it: HAProxy in `mode tcp` on the director (run
/// through `runner`), its configuration and pid file in `directory` (the lab's, which a UML
/// guest sees at the same path). HAProxy ends the client's connection and opens its own to the
/// real from the director's address, so the reals see the director, not the client.
///
/// Every change of the set of services, a scheduler or the timeouts renders the whole
/// configuration, checks it (`haproxy -c`) before anything changes, and reloads the
/// master-worker process (SIGUSR2: the new worker takes new connections, the old one finishes
/// those it has; the new worker's counters start from zero). A weight changes in place
/// through the master CLI (`@1 set weight`).
public struct HAProxyBalancer: Balancer {
    public let runner: any CommandRunning
    public let directory: String

    public init(runner: any CommandRunning, directory: String) {
        self.runner = runner
        self.directory = directory
    }

    /// `<lab directory>/haproxy`: where the balancer of the lab in `labDirectory` keeps its files.
    public static func directory(labDirectory: String) -> String { labDirectory + "/haproxy" }

    /// The configuration HAProxy runs: its path is on the master's command line.
    public var configPath: String { directory + "/haproxy.cfg" }
    /// The master's pid, as the director numbers it.
    public var pidPath: String { directory + "/haproxy.pid" }
    /// What HAProxy writes while it starts and runs.
    public var logPath: String { directory + "/haproxy.log" }
    /// The services, weights and timeouts as last committed: what renders `configPath`.
    var specPath: String { directory + "/services.json" }

    public func install(_ spec: ServiceSpec) throws {
        try install(all: [spec])
    }

    /// All of `specs` in one configuration and one reload.
    public func install(all specs: [ServiceSpec]) throws {
        var config = try stored()
        for spec in specs {
            try HAProxyConfig.check(spec)
            if config.services.contains(where: { $0.service == spec.service }) || specs.filter({ $0.service == spec.service }).count > 1 {
                throw InvalidInput("service \(spec.service.endpoint) already exists on the director's HAProxy")
            }
        }
        config.services += specs
        try commit(config)
    }

    public func apply(_ change: BalancerChange) throws {
        var config = try stored()
        switch change {
        case .scheduler(let service, let scheduler, let persistence):
            try HAProxyConfig.check(scheduler: scheduler, persistence: persistence)
            let i = try position(of: service, in: config)
            config.services[i].scheduler = scheduler
            try commit(config)
        case .real(let service, let real):
            guard HAProxyConfig.weights.contains(real.weight) else {
                throw InvalidInput("weight \(real.weight) is out of range: HAProxy weights are 0 to 256")
            }
            let i = try position(of: service, in: config)
            guard let r = config.services[i].reals.firstIndex(where: { $0.address == real.address && $0.port == real.port }) else {
                config.services[i].reals.append(real)
                return try commit(config)
            }
            config.services[i].reals[r].weight = real.weight
            let weight = HAProxyConfig.effectiveWeight(real.weight, scheduler: config.services[i].scheduler)
            let command = "set weight \(HAProxyConfig.backendName(service))/\(HAProxyConfig.serverName(real)) \(weight)"
            let reply = try runtime(command, config: config).trimmingCharacters(in: .whitespacesAndNewlines)
            guard reply.isEmpty else { throw RuntimeFailure("HAProxy refused `\(command)`: \(reply)") }
            // The file follows, so that a later reload keeps the weight.
            try save(config)
        }
    }

    /// The committed services as `show stat` shows them running, with the weights it has.
    public func services() throws -> [ServiceSpec] {
        let config = try stored()
        guard !config.services.isEmpty else { return [] }
        return try stat(config).running(config.services)
    }

    /// From `show stat`: a frontend's and each server's sessions and bytes; packets are 0 (a
    /// proxy does not see them). A reload starts them from zero (`BalancerCounters.increase`
    /// takes that as a reset).
    public func counters() throws -> [ServiceReading] {
        let config = try stored()
        guard !config.services.isEmpty else { return [] }
        return try stat(config).readings(of: config.services)
    }

    public func timeouts() throws -> ConnectionTimeouts { try stored().timeouts }

    /// `tcp` becomes `timeout client`/`server`, `tcpFin` `timeout client-fin`/`server-fin`;
    /// applied by a reload. `udp` is kept but has no effect (no UDP in `mode tcp`).
    public func setTimeouts(_ timeouts: ConnectionTimeouts) throws {
        guard timeouts.tcp > 0, timeouts.tcpFin > 0 else {
            throw InvalidInput("HAProxy timeouts must be positive: got tcp \(timeouts.tcp), tcpfin \(timeouts.tcpFin)")
        }
        var config = try stored()
        config.timeouts = timeouts
        try commit(config)
    }

    public func remove(_ service: VirtualService) throws {
        try remove(all: [service])
    }

    /// Removes all of `services` in one configuration and one reload.
    public func remove(all services: [VirtualService]) throws {
        var config = try stored()
        for service in services { _ = try position(of: service, in: config) }
        config.services.removeAll { services.contains($0.service) }
        try commit(config)
    }

    // MARK: - Configuration and process

    func stored() throws -> HAProxyConfig {
        guard let data = FileManager.default.contents(atPath: specPath) else { return HAProxyConfig(services: []) }
        do { return try JSONDecoder().decode(HAProxyConfig.self, from: data) } catch {
            throw RuntimeFailure("cannot read HAProxy's services from \(specPath): \(error)")
        }
    }

    func save(_ config: HAProxyConfig) throws {
        try AtomicFile.write(config.render(), to: configPath, mode: 0o600)
        try AtomicFile.write(String(decoding: try JSONEncoder().encode(config), as: UTF8.self), to: specPath, mode: 0o600)
    }

    func position(of service: VirtualService, in config: HAProxyConfig) throws -> Int {
        guard let i = config.services.firstIndex(where: { $0.service == service }) else {
            throw InvalidInput("the director's HAProxy has no service \(service.endpoint)")
        }
        return i
    }

    /// Makes `config` what runs, or changes nothing: the text is checked by `haproxy -c` in
    /// the director first; then HAProxy starts (none ran) or reloads, and the new services
    /// must show in `show stat` within 10 s, else the previous configuration is put back.
    func commit(_ config: HAProxyConfig) throws {
        guard config.services.count <= HAProxyConfig.maximumServices else {
            throw InvalidInput("\(config.services.count) services are more than HAProxy is run with here "
                               + "(at most \(HAProxyConfig.maximumServices), a listening socket each)")
        }
        let previous = try stored()
        let candidate = directory + "/haproxy.cfg.new"
        try AtomicFile.write(config.render(), to: candidate, mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: candidate) }
        let check = try runner.run(["haproxy", "-c", "-f", candidate], timeout: 120)
        guard check.succeeded else {
            let lines = (check.stderr + check.stdout).split(separator: "\n")
            let reason = lines.first { $0.contains("ALERT") } ?? lines.last ?? "exit \(check.status)"
            throw RuntimeFailure("HAProxy refused the configuration, nothing changed: \(reason)")
        }
        try save(config)
        do {
            if let pid = try runningPid() {
                let worker = try currentWorker(config)
                try runner.check(["kill", "-USR2", String(pid)])
                try waitForNewWorker(replacing: worker, config: config)
            } else {
                // The daemon must hold none of the runner's descriptors (its output pipes, a
                // guest agent's connection), or the runner waits for it: its output goes to a
                // log and every other descriptor is closed first.
                let closeAll = #"for f in /proc/$$/fd/*; do f=${f##*/}; [ "$f" -gt 2 ] && eval "exec $f>&-"; done 2>/dev/null; "#
                let start = try runner.run(["bash", "-c", closeAll + #"exec "$@" </dev/null >>"$0" 2>&1"#, logPath,
                                            "haproxy", "-W", "-D", "-S", "ipv4@" + config.cliAddress,
                                            "-f", configPath, "-p", pidPath], timeout: 120)
                guard start.succeeded else {
                    let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                    let reason = log.split(separator: "\n").first { $0.contains("ALERT") } ?? "exit \(start.status)"
                    throw RuntimeFailure("HAProxy did not start on the director: \(reason) (see \(logPath))")
                }
            }
            try waitUntilRunning(config)
        } catch {
            try? save(previous)
            if let pid = try? runningPid() { _ = try? runner.run(["kill", "-USR2", String(pid)], timeout: 10) }
            throw error
        }
    }

    /// The master's pid when it runs in the director.
    func runningPid() throws -> Int32? {
        guard let text = try? String(contentsOfFile: pidPath, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 else { return nil }
        return try runner.run(["kill", "-0", String(pid)], timeout: 10).succeeded ? pid : nil
    }

    func waitUntilRunning(_ config: HAProxyConfig) throws {
        let wanted = Set(config.services.map { HAProxyConfig.frontendName($0.service) })
        let deadline = Date().addingTimeInterval(10)
        var last = ""
        while Date() < deadline {
            do {
                let stat = try stat(config)
                if stat.frontends == wanted && stat.running(config.services) == config.services { return }
                last = "\(stat.frontends.count) of \(wanted.count) frontends"
            } catch { last = "\(error)" }
            usleep(100_000)
        }
        throw RuntimeFailure("HAProxy did not run the new configuration within 10 s (\(last)): see \(configPath)")
    }

    func stat(_ config: HAProxyConfig) throws -> HAProxyStat {
        try HAProxyStat.parse(runtime("show stat", config: config))
    }

    /// The current worker's pid, from the master's `show proc`.
    func currentWorker(_ config: HAProxyConfig) throws -> String? {
        HAProxyBalancer.currentWorker(inShowProc: try cli("show proc", config: config))
    }

    /// The first pid under `# workers` in `show proc` (old workers are listed under a header
    /// of their own).
    static func currentWorker(inShowProc text: String) -> String? {
        let lines = text.split(separator: "\n")
        guard let header = lines.firstIndex(where: { $0.hasPrefix("# workers") }), lines.indices.contains(header + 1),
              !lines[header + 1].hasPrefix("#") else { return nil }
        return lines[header + 1].split(separator: " ").first.map(String.init)
    }

    /// After SIGUSR2 the master re-executes and forks a new worker; until then `@1` would
    /// still be the old one.
    func waitForNewWorker(replacing old: String?, config: HAProxyConfig) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let worker = try? currentWorker(config), worker != old { return }
            usleep(50_000)
        }
        throw RuntimeFailure("HAProxy's master did not start a new worker within 10 s of the reload: see \(logPath)")
    }

    /// One command for the current worker, through the master CLI.
    func runtime(_ command: String, config: HAProxyConfig) throws -> String {
        try cli("@1 " + command, config: config)
    }

    /// One command on the master CLI, from inside the director (bash's /dev/tcp: no socat
    /// needed); its reply. `; quit` ends the connection once it is answered.
    func cli(_ command: String, config: HAProxyConfig) throws -> String {
        let parts = config.cliAddress.split(separator: ":")
        let script = #"exec 3<>"/dev/tcp/$1/$2" && printf '%s; quit\n' "$3" >&3 && cat <&3"#
        return try runner.check(["bash", "-c", script, "bash", String(parts[0]), String(parts[1]), command], timeout: 30).stdout
    }
}
