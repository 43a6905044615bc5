import Balancing
import SystemKit

/// The runtime API's `show stat` (CSV, first line `# pxname,svname,...`): a row per frontend,
/// per server and per backend. Columns are looked up by name, as HAProxy adds some in new
/// versions.
public struct HAProxyStat: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        public var proxy: String
        /// `FRONTEND`, `BACKEND`, or a server's name.
        public var name: String
        /// Sessions since start (`stot`): for a server, the connections it was given.
        public var sessions: UInt64
        /// Bytes from clients (`bin`) and to clients (`bout`).
        public var bytesIn: UInt64
        public var bytesOut: UInt64
        /// A server's weight as configured or set (`uweight`, or `weight` in old versions).
        public var weight: Int?
        /// A server's `ADDRESS:PORT`.
        public var address: String?
        /// A backend's `balance` algorithm.
        public var algorithm: String?
    }

    public var rows: [Row] {
        didSet { index = Self.index(rows) }
    }
    /// Rows by proxy and name: thousands of services are looked up one by one.
    private var index: [String: Row]

    public init(rows: [Row]) {
        self.rows = rows
        index = Self.index(rows)
    }

    public static func == (a: HAProxyStat, b: HAProxyStat) -> Bool { a.rows == b.rows }

    static func index(_ rows: [Row]) -> [String: Row] {
        Dictionary(rows.map { ($0.proxy + "/" + $0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public static func parse(_ text: String) throws -> HAProxyStat {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first, header.hasPrefix("# ") else {
            throw RuntimeFailure("HAProxy's `show stat` gave no CSV header: '\(text.prefix(80))'")
        }
        let names = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        func column(_ name: String) throws -> Int {
            guard let index = names.firstIndex(of: name) else { throw RuntimeFailure("HAProxy's `show stat` has no column \(name)") }
            return index
        }
        let proxy = try column("pxname"), name = try column("svname"), stot = try column("stot")
        let bin = try column("bin"), bout = try column("bout"), weight = try column("weight")
        let uweight = names.firstIndex(of: "uweight"), addr = names.firstIndex(of: "addr"), algo = names.firstIndex(of: "algo")
        var rows: [Row] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func field(_ i: Int?) -> String? { i.flatMap { fields.indices.contains($0) && !fields[$0].isEmpty ? fields[$0] : nil } }
            func count(_ i: Int) throws -> UInt64 {
                guard let text = field(i) else { return 0 }
                guard let value = UInt64(text), value <= BalancerCounters.maximum else {
                    throw RuntimeFailure("HAProxy's `show stat` has '\(text)' where a counter belongs: '\(line.prefix(80))'")
                }
                return value
            }
            guard let p = field(proxy), let n = field(name) else {
                throw RuntimeFailure("HAProxy's `show stat` row has no proxy or name: '\(line.prefix(80))'")
            }
            rows.append(Row(proxy: p, name: n, sessions: try count(stot), bytesIn: try count(bin), bytesOut: try count(bout),
                            weight: (field(uweight) ?? field(weight)).flatMap { Int($0) }, address: field(addr),
                            algorithm: field(algo)))
        }
        return HAProxyStat(rows: rows)
    }

    /// Per service (a frontend `fe-ADDR-PORT` and its backend) the frontend's counters and each
    /// server's: sessions as connections, bytes each way; packets 0, as a proxy does not see
    /// them (the runner counts the director's packets on its links).
    public func readings(of services: [ServiceSpec]) -> [ServiceReading] {
        services.compactMap { spec in
            guard let frontend = row(HAProxyConfig.frontendName(spec.service), "FRONTEND") else { return nil }
            let reals = spec.reals.compactMap { real -> RealReading? in
                guard let server = row(HAProxyConfig.backendName(spec.service), HAProxyConfig.serverName(real)) else { return nil }
                return RealReading(proto: "TCP", service: spec.service, address: real.address, port: real.port,
                                   counters: Self.counters(server))
            }
            return ServiceReading(proto: "TCP", service: spec.service, counters: Self.counters(frontend), reals: reals)
        }
    }

    /// `services` as they run: each one with a frontend, its servers' weights from the runtime.
    public func running(_ services: [ServiceSpec]) -> [ServiceSpec] {
        services.compactMap { spec in
            guard row(HAProxyConfig.frontendName(spec.service), "FRONTEND") != nil,
                  let backend = row(HAProxyConfig.backendName(spec.service), "BACKEND") else { return nil }
            var running = spec
            if backend.algorithm == "leastconn" && ![.lc, .wlc].contains(spec.scheduler) { running.scheduler = .wlc }
            if backend.algorithm == "roundrobin" && ![.rr, .wrr].contains(spec.scheduler) { running.scheduler = .wrr }
            running.reals = spec.reals.compactMap { real in
                guard let server = row(HAProxyConfig.backendName(spec.service), HAProxyConfig.serverName(real)) else { return nil }
                var r = real
                // Under rr and lc HAProxy runs every live real at 1: that is the committed weight.
                if let weight = server.weight, weight != HAProxyConfig.effectiveWeight(real.weight, scheduler: running.scheduler) {
                    r.weight = weight
                }
                return r
            }
            return running
        }
    }

    func row(_ proxy: String, _ name: String) -> Row? { index[proxy + "/" + name] }

    /// The names of the frontends that run.
    public var frontends: Set<String> { Set(rows.filter { $0.name == "FRONTEND" }.map(\.proxy)) }

    static func counters(_ row: Row) -> BalancerCounters {
        BalancerCounters(conns: row.sessions, inPackets: 0, outPackets: 0, inBytes: row.bytesIn, outBytes: row.bytesOut)
    }
}
