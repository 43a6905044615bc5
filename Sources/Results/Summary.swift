import Foundation
import Vocabulary

/// Everything one `lvsbench run` or `lvsbench sweep` measured, as written to `summary.json`.
///
/// The runner writes it early with `complete: false` and rewrites it after the last cell,
/// so an interrupted run leaves a readable summary that says it is partial. Keys are the
/// snake_case names published in `results/schema/summary.schema.json`; bump
/// `Summary.currentSchemaVersion` (and the schema) when a field changes meaning.
public struct Summary: Codable, Equatable, Sendable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    /// The result's name (the part of the directory name after the timestamp).
    public var name: String
    public var startedAt: Date
    /// When the last cell finished; nil while the run is in progress or was interrupted.
    public var finishedAt: Date?
    /// False for a run that is still going or was interrupted: its cells are a prefix of the matrix.
    public var complete: Bool
    public var host: HostInfo
    /// Where the director's IPVS runs: "uml" (user-mode Linux guest) or "native" (a namespace).
    public var directorHost: String
    /// The argv the run was started with, for `reproduce.json` and the report.
    public var commandLine: [String]
    public var lab: LabSetup
    public var toolVersions: ToolVersions
    public var cells: [Cell]
    /// Present for `lvsbench sweep`: keyed by forwarding mode ("nat", "dr", "tun").
    public var sweep: [String: ModeSweep]?
    /// Present for `lvsbench scale`: keyed by balancer ("ipvs", "nftables", ...).
    public var scale: [String: ScaleCurve]?
    /// Present for `lvsbench scenario`.
    public var scenario: ScenarioResult?

    public init(schemaVersion: Int = Summary.currentSchemaVersion, name: String, startedAt: Date,
                finishedAt: Date? = nil, complete: Bool = false, host: HostInfo, directorHost: String,
                commandLine: [String], lab: LabSetup, toolVersions: ToolVersions, cells: [Cell] = [],
                sweep: [String: ModeSweep]? = nil, scale: [String: ScaleCurve]? = nil, scenario: ScenarioResult? = nil) {
        self.schemaVersion = schemaVersion
        self.name = name
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.complete = complete
        self.host = host
        self.directorHost = directorHost
        self.commandLine = commandLine
        self.lab = lab
        self.toolVersions = toolVersions
        self.cells = cells
        self.sweep = sweep
        self.scale = scale
        self.scenario = scenario
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", name, startedAt = "started_at", finishedAt = "finished_at"
        case complete, host, directorHost = "director_backend", commandLine = "command_line", lab
        case toolVersions = "tool_versions", cells, sweep
        case scale, scenario
    }

    /// Marks the run finished; call before the final write.
    public mutating func finish(at date: Date = Date()) {
        finishedAt = date
        complete = true
    }
}

/// The machine the load generator and the lab ran on.
public struct HostInfo: Codable, Equatable, Sendable {
    public var hostname: String
    /// `uname -r` of the host (the director's kernel can differ: see `ToolVersions`).
    public var kernel: String
    public var cpus: Int

    public init(hostname: String, kernel: String, cpus: Int) {
        self.hostname = hostname
        self.kernel = kernel
        self.cpus = cpus
    }

    /// The host this process runs on.
    public static func current() -> HostInfo {
        var uts = utsname()
        uname(&uts)
        let release = withUnsafeBytes(of: &uts.release) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return HostInfo(hostname: ProcessInfo.processInfo.hostName, kernel: release,
                        cpus: ProcessInfo.processInfo.activeProcessorCount)
    }
}

/// How the lab was built: enough to build it again.
public struct LabSetup: Codable, Equatable, Sendable {
    /// Forwarding modes measured ("nat", "dr", "tun", "mixed" in JSON).
    public var modes: [LabMode]
    /// Real-server counts measured (one value for `run`, the sweep's list for `sweep`).
    public var reals: [Int]
    /// Real-server weights in order of the reals (empty: weight 1 each).
    public var weights: [Int]
    public var directorHost: String
    /// Tuning profiles applied to the director, in matrix order.
    public var profiles: [String]
    /// Load kinds ("http", "http-close", "tcp-rr", "tcp-crr" in JSON).
    public var loads: [LoadKind]
    /// Per-real cap of a sweep, bytes per second (nil when reals are not capped or capped by rate).
    public var realRateBytesPerSecond: Double?
    /// Per-real cap of a sweep in requests per second (nil when not capped this way).
    public var realRPS: Double?
    /// The balancers measured, in matrix order; nil (no key) when IPVS alone was, as in
    /// every summary from before other balancers existed.
    public var balancers: [BalancerKind]?
    /// Cells asked for that a balancer cannot run; nil (no key) when there were none.
    public var notMeasured: [NotMeasured]?

    public init(modes: [LabMode], reals: [Int], weights: [Int], directorHost: String,
                profiles: [String], loads: [LoadKind], realRateBytesPerSecond: Double? = nil,
                realRPS: Double? = nil, balancers: [BalancerKind] = [.ipvs], notMeasured: [NotMeasured] = []) {
        self.balancers = balancers == [.ipvs] ? nil : balancers
        self.notMeasured = notMeasured.isEmpty ? nil : notMeasured
        self.modes = modes
        self.reals = reals
        self.weights = weights
        self.directorHost = directorHost
        self.profiles = profiles
        self.loads = loads
        self.realRateBytesPerSecond = realRateBytesPerSecond
        self.realRPS = realRPS
    }

    enum CodingKeys: String, CodingKey {
        case modes, reals, weights, directorHost = "director_backend", profiles, loads
        case realRateBytesPerSecond = "real_rate_bytes_per_s", realRPS = "real_rps"
        case balancers, notMeasured = "not_measured"
    }

    /// The balancers measured (IPVS when the summary names none).
    public var measuredBalancers: [BalancerKind] { balancers ?? [.ipvs] }
}

/// Versions of everything that shaped the numbers. Unknown versions are nil, not guessed.
public struct ToolVersions: Codable, Equatable, Sendable {
    public var lvsbench: String
    public var ipvsadm: String?
    public var nginx: String?
    /// `uname -r` inside the director (the UML guest's kernel, or the host's for native).
    public var directorKernel: String?
    public var swift: String?
    /// Anything else worth recording (e.g. "wrk"), name to version.
    public var other: [String: String]

    public init(lvsbench: String, ipvsadm: String? = nil, nginx: String? = nil, directorKernel: String? = nil,
                swift: String? = nil, other: [String: String] = [:]) {
        self.lvsbench = lvsbench
        self.ipvsadm = ipvsadm
        self.nginx = nginx
        self.directorKernel = directorKernel
        self.swift = swift
        self.other = other
    }

    enum CodingKeys: String, CodingKey {
        case lvsbench, ipvsadm, nginx, directorKernel = "director_kernel", swift, other
    }
}
