import Balancing
import Foundation
import Keepalived
import Lab
import SystemKit
import Vocabulary

/// keepalived taking over the director's IPVS for the health-check scenario: lvsbench's two
/// services are removed and keepalived installs the one the load uses (HTTP_GET on the HTTP
/// service, TCP_CHECK on the TCP one), so the director's listing shows exactly what
/// keepalived decided and nothing that lvsbench left beside it. The daemon ends with the
/// lab: a UML director's poweroff ends it, a namespace director's lab records it and `lab
/// down` ends it (see `KeepalivedDaemon`).
enum HealthCheckDaemon {
    /// Seconds keepalived may take after its start to list every real.
    static let listingLimit = 15.0

    /// The service `kind` loads: the HTTP service for HTTP loads, the TCP one for the others.
    static func port(for kind: LoadKind, in lab: RunningLab) -> Int {
        kind.isHTTP ? lab.state.httpPort : lab.state.tcpPort
    }

    static func check(for kind: LoadKind, _ timing: HealthCheckTiming) -> KeepalivedVirtualServer.HealthCheck {
        kind.isHTTP ? .httpGet(path: "/", statusCode: 200, timing: timing.keepalived) : .tcp(timing.keepalived)
    }

    /// Starts keepalived on the director with `timing` and waits until it lists every real;
    /// returns the detail for the report.
    static func start(_ timing: HealthCheckTiming, for kind: LoadKind, on lab: ScenarioLab) throws -> String {
        let running = lab.lab
        let port = port(for: kind, in: running)
        let installed = try running.listing()
        guard let spec = installed.first(where: { $0.service.address == running.vip && $0.service.port == port }) else {
            throw RuntimeFailure("the director has no service \(running.vip):\(port) for keepalived to take over: "
                                 + "rebuild the lab")
        }
        for service in installed { try running.balancer.remove(service.service) }
        let server = try KeepalivedVirtualServer(spec: spec, delayLoop: timing.delayLoop, check: check(for: kind, timing))
        let config = KeepalivedConfig(routerID: "lvsbench-health-check", virtualServers: [server])
        let started = Date()
        let daemon = try KeepalivedDaemon.start(config, on: running.director, in: running)
        let wanted = Set(spec.reals.map(\.address))
        while Set(try running.listing().first { $0.service == spec.service }?.reals.map(\.address) ?? []) != wanted {
            guard Date().timeIntervalSince(started) < listingLimit else {
                throw RuntimeFailure("keepalived did not list the \(wanted.count) reals of \(spec.service.endpoint) within "
                                     + "\(Int(listingLimit)) s: \(daemon.lastLogLine) (see \(daemon.logPath) in the director)")
            }
            usleep(100_000)
        }
        let listed = Date().timeIntervalSince(started)
        let settled = started.addingTimeInterval(firstRound(timing))
        while Date() < settled {
            try SignalTrap.check()
            usleep(100_000)
        }
        let method = kind.isHTTP ? "HTTP_GET /" : "TCP_CHECK"
        return "lvsbench's services removed; keepalived (pid \(daemon.pid) in the director) checks the \(wanted.count) reals of "
            + "\(spec.service.endpoint) with \(method), \(timing.label); it listed them all "
            + String(format: "%.1f s after its start, and had %.0f s for its first round of checks", listed, firstRound(timing))
    }

    /// Seconds from keepalived's start by which every real has been checked once: the first
    /// check of each comes at a random time within a delay_loop (`warmup`, on by default). A
    /// fault before then meets that first check rather than the steady cycle the scenario
    /// measures (with delay_loop 6 a killed real was out 1.1 s after the kill, sooner than
    /// its delay_before_retry of 3 s allows once the checks run).
    static func firstRound(_ timing: HealthCheckTiming) -> Double { Double(timing.delayLoop + 1) }
}
