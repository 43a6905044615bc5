import Foundation
import LoadGen
import SystemKit
import Vocabulary

/// What `lvsbench run` was asked for, already typed (ArgumentParser parsed every value
/// into the vocabulary's types); nil means "the default". `RunSettings.validated` fills in
/// the defaults and checks the values against each other and the host before anything is
/// created.
public struct RunRequest: Sendable {
    public var modes: [LabMode]?
    public var schedulers: [Scheduler]?
    public var profiles: [String]?
    public var reals: Int?
    /// One entry per `--weights` option; several entries make weights a matrix dimension.
    public var weights: [[Int]] = []
    public var load: LoadKind?
    public var connections: Int?
    public var rate: Double?
    /// Seconds, from `RunSettings.window`.
    public var duration: Double?
    /// Seconds, from `RunSettings.warmupSeconds`.
    public var warmup: Double?
    public var repeats: Int?
    public var outDir: String?
    public var name: String?

    public init() {}
}

/// A validated run: every list non-empty, every name known, the output directory writable.
public struct RunSettings: Codable, Equatable, Sendable {
    public var modes: [LabMode]
    public var schedulers: [Scheduler]
    public var profiles: [String]
    public var reals: Int
    public var weightSets: [[Int]]
    public var load: LoadKind
    /// Connections of the load generator; nil picks them per weight set (`autoConnections`).
    public var connections: Int?
    /// Total requests per second the generator paces to; nil runs closed-loop (as fast as it can).
    public var rate: Double?
    public var duration: Double
    public var warmup: Double
    public var repeats: Int
    public var outDir: String
    public var name: String

    /// The default benchmark: the LVS tutorial's four reals weighted 5,5,1,1 under the four
    /// classic schedulers in the three forwarding methods, with cells short enough that the
    /// whole matrix takes a few minutes on a two-core machine.
    public static let defaultModes: [LabMode] = [.nat, .dr, .tun]
    public static let defaultSchedulers: [Scheduler] = [.rr, .wrr, .lc, .wlc]
    public static let defaultReals = 4
    public static let tutorialWeights = [5, 5, 1, 1]
    public static let defaultDuration = 3.0
    public static let defaultWarmup = 1.0
    public static let minimumAutoConnections = 16
    public static let maxReals = 64
    /// A measured window or warm-up shorter than this measures nothing (and the load
    /// generator is handed durations in whole milliseconds).
    public static let minWindow = 0.1
    /// Windows and warm-ups: 100 ms to a day.
    public static let windowRange: ClosedRange<Double> = minWindow...Quantities.maxDuration

    /// The tutorial's 5,5,1,1 pattern repeated to `reals` entries, so weighted schedulers
    /// have something to show for any number of reals when the user gives no weights.
    public static func defaultWeights(reals: Int) -> [Int] {
        (0..<reals).map { tutorialWeights[$0 % tutorialWeights.count] }
    }

    /// Connections for a weight set when the user gave none. With keep-alive, IPVS
    /// schedules connections, not requests, so the number of connections must split exactly
    /// by the weights (and evenly over the reals, for unweighted schedulers) or the observed
    /// shares are off by the rounding: the smallest multiple of lcm(sum of weights, reals
    /// taking traffic) that is at least 16 (24 for 5,5,1,1). Very uneven weights would need
    /// hundreds of connections; they get 64 and a visible rounding.
    public static func autoConnections(weights: [Int]) -> Int {
        let active = weights.filter { $0 > 0 }
        guard !active.isEmpty else { return minimumAutoConnections }
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let sum = active.reduce(0, +)
        let unit = sum / gcd(sum, active.count) * active.count
        guard unit <= 256 else { return 64 }
        return unit * max(1, (minimumAutoConnections + unit - 1) / unit)
    }

    /// A measured window (`--duration`): a duration in `windowRange`.
    public static func window(_ text: String) throws -> Double {
        try Quantities.duration(text, what: "--duration", range: windowRange)
    }

    /// A warm-up may be zero ("0", "0s", "0ms": none); otherwise a positive duration.
    public static func warmupSeconds(_ text: String) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = t.prefix(while: { $0.isNumber || $0 == "." })
        let unit = String(t.dropFirst(digits.count))
        if let value = Double(digits), value == 0, ["", "s", "ms", "us", "m", "h"].contains(unit) { return 0 }
        return try Quantities.duration(text, what: "--warmup", range: windowRange)
    }

    /// A result's name becomes part of its directory's name.
    public static func checkName(_ name: String) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }),
              !name.hasPrefix(".") else {
            throw InvalidInput("--name '\(name)' is not usable in a directory name: use letters, digits, - _ .")
        }
    }

    /// Checks `request`; `knownProfiles` (nil: accept any name) comes from the tuner.
    public static func validated(_ request: RunRequest, knownProfiles: [String]? = nil) throws -> RunSettings {
        let modes = request.modes ?? defaultModes
        let schedulers = request.schedulers ?? defaultSchedulers
        let profiles = request.profiles ?? ["default"]
        if let knownProfiles {
            for profile in profiles where !knownProfiles.contains(profile) {
                throw InvalidInput("unknown profile '\(profile)': use one of \(knownProfiles.joined(separator: ", "))")
            }
        }
        let reals = request.reals ?? defaultReals
        guard (1...maxReals).contains(reals) else {
            throw InvalidInput("--reals \(reals) is out of range: give 1 to \(maxReals)")
        }
        var weightSets: [[Int]] = []
        for given in request.weights {
            let set = try Weights.fitted(given, reals: reals)
            guard set.contains(where: { $0 > 0 }) else {
                let text = given.map(String.init).joined(separator: ",")
                throw InvalidInput("--weights \(text) gives every real weight 0: at least one real must take traffic")
            }
            if !weightSets.contains(set) { weightSets.append(set) }
        }
        if weightSets.isEmpty { weightSets = [defaultWeights(reals: reals)] }
        let load = request.load ?? .http
        let connections = request.connections
        if let c = connections { try Quantities.checkCount(c, what: "-c", range: 1...LoadOptions.maxConnections) }
        if let rate = request.rate { try Quantities.checkRate(rate, what: "--rate") }
        let duration = request.duration ?? defaultDuration
        let warmup = request.warmup ?? defaultWarmup
        let repeats = request.repeats ?? 1
        guard (1...50).contains(repeats) else { throw InvalidInput("--repeat \(repeats) is out of range: give 1 to 50") }
        let name = request.name ?? "run"
        try checkName(name)
        let outDir = request.outDir ?? "results"
        try OutputLocation.checkWritable(outDir, option: "--out")
        return RunSettings(modes: modes, schedulers: schedulers, profiles: profiles, reals: reals,
                           weightSets: weightSets, load: load, connections: connections, rate: request.rate,
                           duration: duration, warmup: warmup, repeats: repeats, outDir: outDir, name: name)
    }
}
