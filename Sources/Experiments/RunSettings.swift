import Foundation
import LoadGen
import SystemKit
import Vocabulary

/// A validated run: every list non-empty, every value in range and fitting the others.
/// `init(modes:…)` fills in the defaults and checks the values; `checkHost` checks what
/// only the host can tell (the profiles exist, the output directory is writable).
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
    /// What balances the director in each lab, in matrix order (`--balancer`).
    public var balancers: [BalancerKind] = [.ipvs]

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

    /// What only the host can tell: every profile is one the tuner knows (`knownProfiles`;
    /// nil accepts any name) and the output directory is writable. `RunSession.run` checks
    /// this before anything is created; the initializer does not, so that `lvsbench run`'s
    /// `validate()` can check the values without looking at the host.
    public func checkHost(knownProfiles: [String]?) throws {
        if let knownProfiles {
            for profile in profiles where !knownProfiles.contains(profile) {
                throw InvalidInput("unknown profile '\(profile)': use one of \(knownProfiles.joined(separator: ", "))")
            }
        }
        try OutputLocation.checkWritable(outDir, option: "--out")
    }
}

/// In an extension, so that the memberwise initializer (settings as they are, for plans and
/// tests) stays.
extension RunSettings {
    /// The settings of `lvsbench run`'s options, typed as the options parse them (durations
    /// in seconds from `window` and `warmupSeconds`); nil or empty means "the default".
    /// Throws the option's one-line message for a value out of range or not fitting the others.
    public init(modes: [LabMode]? = nil, schedulers: [Scheduler]? = nil, profiles: [String]? = nil, reals: Int? = nil,
                weights: [[Int]] = [], load: LoadKind? = nil, connections: Int? = nil, rate: Double? = nil,
                duration: Double? = nil, warmup: Double? = nil, repeats: Int? = nil,
                outDir: String? = nil, name: String? = nil, balancers: [BalancerKind]? = nil) throws {
        let reals = reals ?? Self.defaultReals
        guard (1...Self.maxReals).contains(reals) else {
            throw InvalidInput("--reals \(reals) is out of range: give 1 to \(Self.maxReals)")
        }
        var weightSets: [[Int]] = []
        for given in weights {
            let set = try Weights.fitted(given, reals: reals)
            guard set.contains(where: { $0 > 0 }) else {
                let text = given.map(String.init).joined(separator: ",")
                throw InvalidInput("--weights \(text) gives every real weight 0: at least one real must take traffic")
            }
            if !weightSets.contains(set) { weightSets.append(set) }
        }
        if weightSets.isEmpty { weightSets = [Self.defaultWeights(reals: reals)] }
        if let connections { try Quantities.checkCount(connections, what: "-c", range: 1...LoadOptions.maxConnections) }
        if let rate { try Quantities.checkRate(rate, what: "--rate") }
        let repeats = repeats ?? 1
        guard (1...50).contains(repeats) else { throw InvalidInput("--repeat \(repeats) is out of range: give 1 to 50") }
        let name = name ?? "run"
        try Self.checkName(name)
        self.init(modes: modes ?? Self.defaultModes, schedulers: schedulers ?? Self.defaultSchedulers,
                  profiles: profiles ?? ["default"], reals: reals, weightSets: weightSets, load: load ?? .http,
                  connections: connections, rate: rate, duration: duration ?? Self.defaultDuration,
                  warmup: warmup ?? Self.defaultWarmup, repeats: repeats, outDir: outDir ?? "results", name: name,
                  balancers: Self.distinct(balancers ?? [.ipvs]))
    }

    /// `list` in its order, each once (`--balancer ipvs,ipvs` is one balancer).
    static func distinct(_ list: [BalancerKind]) -> [BalancerKind] {
        list.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }
}
