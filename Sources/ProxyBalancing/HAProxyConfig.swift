import Balancing
import SystemKit
import Vocabulary

/// The HAProxy configuration of a set of virtual services, rendered whole: one `frontend`
/// bound to each VIP:PORT in `mode tcp` and one `backend` with its reals as `server`s. A pure
/// value so the exact text is testable; `HAProxyBalancer` writes, checks and runs it.
public struct HAProxyConfig: Codable, Equatable, Sendable {
    /// The schedulers HAProxy has an equivalent for: rr and wrr are `balance roundrobin`, lc
    /// and wlc `balance leastconn` (HAProxy always honours weights, so rr/lc only differ in
    /// the weights the lab gives them).
    public static let schedulers: [Scheduler] = [.rr, .wrr, .lc, .wlc]
    /// HAProxy's server weights are 0 to 256 (IPVS's go to 65535).
    public static let weights = 0...256
    /// At most this many services: each is a frontend with its own listening socket and a
    /// backend. Measured on a 2-core host (HAProxy 2.6, 2 threads): 10,000 start in 2.4 s with
    /// 10,013 descriptors and a 350 MB worker; `show stat` then takes 0.6 s.
    public static let maximumServices = 10_000
    /// Connection attempts to a real give up after this long (IPVS has no such timeout).
    public static let connectTimeout = 5

    public var services: [ServiceSpec]
    /// Established idle connections time out after `tcp` seconds (`timeout client` and
    /// `timeout server`), half-closed ones after `tcpFin` (`timeout client-fin`/`server-fin`);
    /// `udp` is kept only to give it back: HAProxy's `mode tcp` proxies no UDP.
    public var timeouts: ConnectionTimeouts
    /// Where the master CLI listens inside the director (`-S`): `@1 show stat` and
    /// `@1 set weight` reach the current worker only, never one that a reload is retiring.
    public var cliAddress: String

    public init(services: [ServiceSpec], timeouts: ConnectionTimeouts = HAProxyConfig.defaultTimeouts,
                cliAddress: String = HAProxyConfig.defaultCLIAddress) {
        self.services = services
        self.timeouts = timeouts
        self.cliAddress = cliAddress
    }

    /// A worker statistics socket that nothing uses: HAProxy refuses a configuration without
    /// any listener, and the lab's has none once its last service is removed.
    public static let idleListener = "127.0.0.1:19998"
    /// IPVS's defaults, so a lab reads the same timeouts whatever its balancer.
    public static let defaultTimeouts = ConnectionTimeouts(tcp: 900, tcpFin: 120, udp: 300)
    /// On the director's loopback: a TCP socket, since a unix socket on the UML guest's hostfs
    /// lab directory is not reliably reachable.
    public static let defaultCLIAddress = "127.0.0.1:19999"

    /// Refuses what HAProxy cannot run, with what would work instead.
    public static func check(_ spec: ServiceSpec) throws {
        try check(scheduler: spec.scheduler, persistence: spec.persistence)
        if let real = spec.reals.first(where: { !weights.contains($0.weight) }) {
            throw InvalidInput("weight \(real.weight) of \(real.endpoint) is out of range: HAProxy weights are 0 to 256")
        }
    }

    /// Refuses a scheduler or persistence HAProxy has no equivalent for.
    public static func check(scheduler: Scheduler, persistence: Int?) throws {
        let names = schedulers.map(\.rawValue).joined(separator: ", ")
        guard schedulers.contains(scheduler) else {
            throw InvalidInput("balancer haproxy has no scheduler \(scheduler.rawValue): use one of \(names), or --balancer ipvs")
        }
        guard persistence == nil else {
            throw InvalidInput("balancer haproxy does not do persistence: drop --persistence, or use --balancer ipvs")
        }
    }

    /// The weight HAProxy is given for a real of weight `weight`: HAProxy honours weights
    /// under every algorithm, while IPVS's rr and lc ignore them (any weight above 0 takes an
    /// equal share), so under rr and lc every live real gets 1.
    public static func effectiveWeight(_ weight: Int, scheduler: Scheduler) -> Int {
        scheduler.usesWeights ? weight : min(weight, 1)
    }

    static func balance(_ scheduler: Scheduler) -> String {
        scheduler == .lc || scheduler == .wlc ? "leastconn" : "roundrobin"
    }

    /// "fe-198.18.1.100-80": HAProxy names take letters, digits, '.', '-', '_' and ':'.
    public static func frontendName(_ service: VirtualService) -> String { "fe-\(service.address)-\(service.port)" }
    public static func backendName(_ service: VirtualService) -> String { "be-\(service.address)-\(service.port)" }
    public static func serverName(_ real: RealSpec) -> String { "s-\(real.address)-\(real.port)" }

    /// The configuration file's text. No global `maxconn`: HAProxy derives it from the
    /// descriptor limit it finds (a fixed 100,000 needs 200,000 descriptors, more than a
    /// container's hard limit of 20,000 allows, and HAProxy then refuses to start).
    public func render() -> String {
        var lines = [
            "global",
            "    stats socket ipv4@\(Self.idleListener) level user",
            "",
            "defaults",
            "    mode tcp",
            "    timeout connect \(Self.connectTimeout)s",
            "    timeout client \(timeouts.tcp)s",
            "    timeout server \(timeouts.tcp)s",
            "    timeout client-fin \(timeouts.tcpFin)s",
            "    timeout server-fin \(timeouts.tcpFin)s",
        ]
        for spec in services {
            lines += [
                "",
                "frontend \(Self.frontendName(spec.service))",
                "    bind \(spec.service.endpoint)",
                "    default_backend \(Self.backendName(spec.service))",
                "",
                "backend \(Self.backendName(spec.service))",
                "    balance \(Self.balance(spec.scheduler))",
            ]
            lines += spec.reals.map {
                "    server \(Self.serverName($0)) \($0.endpoint) weight \(Self.effectiveWeight($0.weight, scheduler: spec.scheduler))"
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
