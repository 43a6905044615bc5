import Balancing
import SystemKit
import Vocabulary

/// A keepalived `virtual_server`: an IPVS service keepalived installs and keeps, adding each
/// real while its health check passes and removing it when the check fails.
public struct KeepalivedVirtualServer: Equatable, Sendable {
    /// How keepalived decides a real is alive.
    public enum HealthCheck: Equatable, Sendable {
        /// `HTTP_GET`: a GET of `path` must answer `statusCode`.
        case httpGet(path: String, statusCode: Int, timing: Timing)
        /// `TCP_CHECK`: a TCP connection to the real's port must open.
        case tcp(Timing)
    }

    /// When a check gives up and retries, in seconds.
    public struct Timing: Equatable, Sendable {
        public var connectTimeout: Int
        /// Further attempts after a failure before the real is taken out.
        public var retry: Int
        public var delayBeforeRetry: Int

        public init(connectTimeout: Int, retry: Int, delayBeforeRetry: Int) {
            self.connectTimeout = connectTimeout
            self.retry = retry
            self.delayBeforeRetry = delayBeforeRetry
        }
    }

    /// The service, scheduler, persistence and reals (with weights and forwarding).
    public var spec: ServiceSpec
    /// Seconds between checks of one real.
    public var delayLoop: Int
    public var check: HealthCheck

    /// Throws when a real has no forwarding method (a listing of a method lvsbench has no
    /// name for): keepalived must be told one.
    public init(spec: ServiceSpec, delayLoop: Int, check: HealthCheck) throws {
        if let real = spec.reals.first(where: { $0.forwarding == nil }) {
            throw InvalidInput("real \(real.endpoint) of \(spec.service.endpoint) has no forwarding method: give nat, dr or tun")
        }
        self.spec = spec
        self.delayLoop = delayLoop
        self.check = check
    }

    /// keepalived's name of a forwarding method (`lb_kind`, `lvs_method`).
    public static func kind(_ method: ForwardingMethod) -> String {
        switch method {
        case .nat: return "NAT"
        case .dr: return "DR"
        case .tun: return "TUN"
        }
    }

    /// The service's `lb_kind` is its first real's method (NAT with none); a real of another
    /// method (a mixed lab) says its own with `lvs_method`.
    var lines: [String] {
        let method = spec.reals.first?.forwarding ?? .nat
        var lines = [
            "virtual_server \(spec.service.address) \(spec.service.port) {",
            "    delay_loop \(delayLoop)",
            "    lb_algo \(spec.scheduler.rawValue)",
            "    lb_kind \(Self.kind(method))",
        ]
        if let persistence = spec.persistence { lines.append("    persistence_timeout \(persistence)") }
        lines.append("    protocol TCP")
        for real in spec.reals {
            lines.append("    real_server \(real.address) \(real.port) {")
            lines.append("        weight \(real.weight)")
            if let own = real.forwarding, own != method { lines.append("        lvs_method \(Self.kind(own))") }
            lines += checkLines.map { "        " + $0 }
            lines.append("    }")
        }
        lines.append("}")
        return lines
    }

    var checkLines: [String] {
        func timing(_ t: Timing) -> [String] {
            ["    connect_timeout \(t.connectTimeout)", "    retry \(t.retry)", "    delay_before_retry \(t.delayBeforeRetry)"]
        }
        switch check {
        case .httpGet(let path, let status, let t):
            return ["HTTP_GET {", "    url {", "        path \(path)", "        status_code \(status)", "    }"] + timing(t) + ["}"]
        case .tcp(let t):
            return ["TCP_CHECK {"] + timing(t) + ["}"]
        }
    }
}
