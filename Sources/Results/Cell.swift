import Balancing
import Foundation
import Vocabulary

/// One combination of the matrix (mode × scheduler × profile × reals × load), measured
/// `repeats.count` times. Top-level figures (`rps`, `latency_us`, ...) are the medians over
/// the repeats; `repeats` keeps each repeat so `compare` can tell noise from change.
public struct Cell: Codable, Equatable, Sendable {
    public var mode: LabMode
    /// What balanced the cell's traffic. Written to JSON only when it is not IPVS, so a
    /// summary of IPVS alone reads as it did before other balancers existed, and an old
    /// summary (no key) reads as IPVS.
    public var balancer: BalancerKind {
        get { otherBalancer ?? .ipvs }
        set { otherBalancer = newValue == .ipvs ? nil : newValue }
    }
    private var otherBalancer: BalancerKind?
    public var scheduler: Scheduler
    public var profile: String
    public var reals: Int
    public var load: LoadKind
    /// Requests per second through the director (median over repeats).
    public var rps: Double
    /// New TCP connections per second through the director (median over repeats).
    public var cps: Double
    /// Response payload bytes per second seen by the client (median over repeats).
    public var bytesPerSecond: Double
    /// Length of one measured window, seconds.
    public var durationSeconds: Double
    public var latencyUS: Latency
    public var errors: ErrorCounts
    /// Requests per second from the client straight to one real, no director, same lab, same
    /// run: the reference that makes `lbOverheadRatio` meaningful on a noisy machine.
    public var directRPS: Double
    /// `rps / direct_rps`: the fraction of the direct path's rate that survives the director.
    public var lbOverheadRatio: Double
    public var perReal: [RealShare]
    public var director: DirectorCounters
    public var repeats: Repeats
    /// The same director plain-forwarding (no IPVS) to one real, same run and load: IPVS's
    /// own cost per packet and per connection (nil in results from before it was measured).
    public var plainForward: ForwardCost?

    public init(mode: LabMode, scheduler: Scheduler, profile: String, reals: Int, load: LoadKind, rps: Double,
                cps: Double, bytesPerSecond: Double, durationSeconds: Double, latencyUS: Latency,
                errors: ErrorCounts, directRPS: Double, lbOverheadRatio: Double? = nil, perReal: [RealShare],
                director: DirectorCounters, repeats: Repeats, plainForward: ForwardCost? = nil,
                balancer: BalancerKind = .ipvs) {
        self.mode = mode
        self.otherBalancer = balancer == .ipvs ? nil : balancer
        self.scheduler = scheduler
        self.profile = profile
        self.reals = reals
        self.load = load
        self.rps = rps
        self.cps = cps
        self.bytesPerSecond = bytesPerSecond
        self.durationSeconds = durationSeconds
        self.latencyUS = latencyUS
        self.errors = errors
        self.directRPS = directRPS
        self.lbOverheadRatio = lbOverheadRatio ?? (directRPS > 0 ? rps / directRPS : 0)
        self.perReal = perReal
        self.director = director
        self.repeats = repeats
        self.plainForward = plainForward
    }

    enum CodingKeys: String, CodingKey {
        case mode, scheduler, profile, reals, load, rps, cps, bytesPerSecond = "bytes_per_s"
        case durationSeconds = "duration_s", latencyUS = "latency_us", errors, directRPS = "direct_rps"
        case lbOverheadRatio = "lb_overhead_ratio", perReal = "per_real", director, repeats
        case plainForward = "plain_forward", otherBalancer = "balancer"
    }

    /// What identifies a cell across runs; `compare` matches cells by it. The weights come
    /// from `per_real`, so a matrix over several weight sets keeps its cells apart.
    public var key: CellKey {
        CellKey(mode: mode, scheduler: scheduler, profile: profile, reals: reals, load: load,
                weights: perReal.map(\.weight), balancer: balancer)
    }
}

/// The coordinates of a cell in the matrix.
public struct CellKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var mode: LabMode
    public var scheduler: Scheduler
    public var profile: String
    public var reals: Int
    public var load: LoadKind
    /// Real-server weights in order (empty when unknown).
    public var weights: [Int]
    /// Cells of different balancers are different cells: `compare` never pairs them.
    public var balancer: BalancerKind

    public init(mode: LabMode, scheduler: Scheduler, profile: String, reals: Int, load: LoadKind, weights: [Int] = [],
                balancer: BalancerKind = .ipvs) {
        self.mode = mode
        self.balancer = balancer
        self.scheduler = scheduler
        self.profile = profile
        self.reals = reals
        self.load = load
        self.weights = weights
    }

    /// "nat/wrr/default/4r/http/w5.5.1.1"; a balancer other than IPVS follows the mode
    /// ("nat/nftables/wrr/..."), so IPVS cells keep the names they had.
    public var description: String {
        let w = weights.isEmpty ? "" : "/w" + weights.map(String.init).joined(separator: ".")
        let b = balancer == .ipvs ? "" : "/\(balancer.rawValue)"
        return "\(mode.rawValue)\(b)/\(scheduler.rawValue)/\(profile)/\(reals)r/\(load.rawValue)\(w)"
    }

    public static func < (a: CellKey, b: CellKey) -> Bool { a.description < b.description }
}

/// Response-time percentiles in microseconds (from the load generator's histogram).
public struct Latency: Codable, Equatable, Sendable {
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double

    public init(p50: Double, p90: Double, p99: Double, p999: Double, max: Double) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
    }
}

/// Failed requests: the total and a breakdown by kind ("connect", "timeout", "reset", "status").
public struct ErrorCounts: Codable, Equatable, Sendable {
    public var total: Int
    public var byKind: [String: Int]

    public init(total: Int, byKind: [String: Int] = [:]) {
        self.total = total
        self.byKind = byKind
    }

    /// Counts where the total is the sum of the kinds.
    public init(byKind: [String: Int]) {
        self.init(total: byKind.values.reduce(0, +), byKind: byKind)
    }

    enum CodingKeys: String, CodingKey { case total, byKind = "by_kind" }
}

/// How one real's share of connections compares with what its weight promises.
public struct RealShare: Codable, Equatable, Sendable {
    public var name: String
    public var weight: Int
    /// The fraction (0...1) of connections the scheduler should send here: weight / sum of
    /// weights for weighted schedulers, 1/N for the others.
    public var expectedShare: Double
    /// The fraction (0...1) of connections IPVS actually sent here.
    public var observedShare: Double
    /// Connections IPVS counted for this real during the measured windows.
    public var ipvsConns: Int

    public init(name: String, weight: Int, expectedShare: Double, observedShare: Double, ipvsConns: Int) {
        self.name = name
        self.weight = weight
        self.expectedShare = expectedShare
        self.observedShare = observedShare
        self.ipvsConns = ipvsConns
    }

    enum CodingKeys: String, CodingKey {
        case name, weight, expectedShare = "expected_share", observedShare = "observed_share"
        case ipvsConns = "ipvs_conns"
    }
}

/// IPVS's own counters on the director, summed over the cell's measured windows.
/// "in" is client to real (requests), "out" is real to client (replies); in DR and TUN the
/// replies bypass the director, so `outPkts` stays 0 there. The counts are the balancer's
/// `BalancerCounters` (connections are not part of the summary's director block).
public struct DirectorCounters: Codable, Equatable, Sendable {
    public var traffic: BalancerCounters
    /// Share of one director CPU spent in softirq (packet processing), percent 0...100.
    /// A user-mode Linux guest does not account softirq time (its packet work shows as busy
    /// time), so with that director host read `cpuBusyPct` instead.
    public var cpuSoftirqPct: Double
    /// Share of one director CPU not idle over the window, percent 0...100.
    public var cpuBusyPct: Double
    /// Seconds the counters cover (sum of the measured windows), to turn them into rates.
    public var windowSeconds: Double

    /// `traffic`'s connection count is left out (set to 0): the block states packets and
    /// bytes only, so a summary read back equals the one written.
    public init(traffic: BalancerCounters, cpuSoftirqPct: Double, cpuBusyPct: Double, windowSeconds: Double) {
        self.traffic = traffic
        self.traffic.conns = 0
        self.cpuSoftirqPct = cpuSoftirqPct
        self.cpuBusyPct = cpuBusyPct
        self.windowSeconds = windowSeconds
    }

    public init(inPkts: Int, outPkts: Int, inBytes: Int, outBytes: Int, cpuSoftirqPct: Double,
                cpuBusyPct: Double, windowSeconds: Double) {
        self.init(traffic: BalancerCounters(conns: 0, inPackets: UInt64(clamping: inPkts), outPackets: UInt64(clamping: outPkts),
                                            inBytes: UInt64(clamping: inBytes), outBytes: UInt64(clamping: outBytes)),
                  cpuSoftirqPct: cpuSoftirqPct, cpuBusyPct: cpuBusyPct, windowSeconds: windowSeconds)
    }

    public var inPkts: Int { Int(clamping: traffic.inPackets) }
    public var outPkts: Int { Int(clamping: traffic.outPackets) }
    public var inBytes: Int { Int(clamping: traffic.inBytes) }
    public var outBytes: Int { Int(clamping: traffic.outBytes) }

    enum CodingKeys: String, CodingKey {
        case inPkts = "in_pkts", outPkts = "out_pkts", inBytes = "in_bytes", outBytes = "out_bytes"
        case cpuSoftirqPct = "cpu_softirq_pct", cpuBusyPct = "cpu_busy_pct", windowSeconds = "window_s"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(inPkts: try c.decode(Int.self, forKey: .inPkts), outPkts: try c.decode(Int.self, forKey: .outPkts),
                  inBytes: try c.decode(Int.self, forKey: .inBytes), outBytes: try c.decode(Int.self, forKey: .outBytes),
                  cpuSoftirqPct: try c.decode(Double.self, forKey: .cpuSoftirqPct),
                  cpuBusyPct: try c.decode(Double.self, forKey: .cpuBusyPct),
                  windowSeconds: try c.decode(Double.self, forKey: .windowSeconds))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inPkts, forKey: .inPkts)
        try c.encode(outPkts, forKey: .outPkts)
        try c.encode(inBytes, forKey: .inBytes)
        try c.encode(outBytes, forKey: .outBytes)
        try c.encode(cpuSoftirqPct, forKey: .cpuSoftirqPct)
        try c.encode(cpuBusyPct, forKey: .cpuBusyPct)
        try c.encode(windowSeconds, forKey: .windowSeconds)
    }

    /// Whether replies crossed the director (NAT) or went straight back (DR, TUN).
    public var repliesCrossedDirector: Bool { outPkts > 0 }
    public var packetsPerSecond: Double { windowSeconds > 0 ? Double(inPkts + outPkts) / windowSeconds : 0 }
    public var bytesPerSecond: Double { windowSeconds > 0 ? Double(inBytes + outBytes) / windowSeconds : 0 }
}

/// The per-repeat values behind a cell's medians.
public struct Repeats: Codable, Equatable, Sendable {
    public var rps: Spread
    public var directRPS: Spread
    public var lbOverheadRatio: Spread

    public init(rps: Spread, directRPS: Spread, lbOverheadRatio: Spread) {
        self.rps = rps
        self.directRPS = directRPS
        self.lbOverheadRatio = lbOverheadRatio
    }

    /// Builds the spreads from paired per-repeat measurements (ratio per repeat, so that a
    /// slow moment of the machine hits numerator and denominator alike).
    public init(rps: [Double], directRPS: [Double]) {
        let ratios = zip(rps, directRPS).map { $0.1 > 0 ? $0.0 / $0.1 : 0 }
        self.init(rps: Spread(rps), directRPS: Spread(directRPS), lbOverheadRatio: Spread(ratios))
    }

    public var count: Int { rps.values.count }

    enum CodingKeys: String, CodingKey {
        case rps, directRPS = "direct_rps", lbOverheadRatio = "lb_overhead_ratio"
    }
}
