import Foundation
import SystemKit
import Vocabulary

/// The lab as data: everything `lab up` needs, validated before anything touches the host.
public struct LabSpec: Codable, Equatable, Sendable {
    public static let defaultName = "default"
    public static let realsRange: ClosedRange<Int> = 1...64

    public var name: String
    public var mode: LabMode
    public var reals: Int
    public var scheduler: Scheduler
    /// One weight per real, each in `Weights.range`.
    public var weights: [Int]
    /// `ipvsadm -p` seconds; nil for no persistence.
    public var persistence: Int?
    public var director: DirectorChoice
    /// What balances the VIP's traffic on the director (IPVS unless asked otherwise).
    public var balancer: BalancerKind

    public init(name: String = LabSpec.defaultName, mode: LabMode = .nat, reals: Int = 2,
                scheduler: Scheduler = .wrr, weights: [Int]? = nil, persistence: Int? = nil,
                director: DirectorChoice = .auto, balancer: BalancerKind = .ipvs) {
        self.name = name
        self.mode = mode
        self.reals = reals
        self.scheduler = scheduler
        self.weights = weights ?? Array(repeating: 1, count: max(reals, 0))
        self.persistence = persistence
        self.director = director
        self.balancer = balancer
    }

    enum CodingKeys: String, CodingKey {
        case name, mode, reals, scheduler, weights, persistence, director, balancer
    }

    /// A state file written before balancers other than IPVS existed has no `balancer`: IPVS.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        mode = try c.decode(LabMode.self, forKey: .mode)
        reals = try c.decode(Int.self, forKey: .reals)
        scheduler = try c.decode(Scheduler.self, forKey: .scheduler)
        weights = try c.decode([Int].self, forKey: .weights)
        persistence = try c.decodeIfPresent(Int.self, forKey: .persistence)
        director = try c.decode(DirectorChoice.self, forKey: .director)
        balancer = try c.decodeIfPresent(BalancerKind.self, forKey: .balancer) ?? .ipvs
    }

    /// An IPVS lab's spec is written as before balancers other than IPVS existed.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(mode, forKey: .mode)
        try c.encode(reals, forKey: .reals)
        try c.encode(scheduler, forKey: .scheduler)
        try c.encode(weights, forKey: .weights)
        try c.encodeIfPresent(persistence, forKey: .persistence)
        try c.encode(director, forKey: .director)
        if balancer != .ipvs { try c.encode(balancer, forKey: .balancer) }
    }

    /// Builds a spec from the command line's typed values (`weights` nil or empty: 1 each);
    /// every error is `InvalidInput` (exit 2).
    public static func validated(name: String?, mode: LabMode, reals: Int, scheduler: Scheduler,
                                 weights: [Int]?, persistence: Int?, director: DirectorChoice,
                                 balancer: BalancerKind = .ipvs) throws -> LabSpec {
        let spec = LabSpec(name: name ?? defaultName, mode: mode, reals: reals, scheduler: scheduler,
                           weights: realsRange.contains(reals) ? try Weights.fitted(weights, reals: reals) : [],
                           persistence: persistence, director: director, balancer: balancer)
        try spec.validate()
        return spec
    }

    /// Throws `InvalidInput` naming the first thing wrong with this spec.
    public func validate() throws {
        try LabSpec.validateName(name)
        guard LabSpec.realsRange.contains(reals) else {
            throw InvalidInput("\(reals) reals requested: a lab has 1 to \(LabSpec.realsRange.upperBound) reals")
        }
        guard weights.count == reals else {
            throw InvalidInput("\(weights.count) weights given for \(reals) reals: give one weight per real")
        }
        if let bad = weights.first(where: { !Weights.range.contains($0) }) {
            throw InvalidInput("weight \(bad) is out of range: IPVS weights are 0 to 65535")
        }
        if let persistence, persistence < 1 || persistence > 31_536_000 {
            throw InvalidInput("persistence \(persistence) s is out of range: give 1 to 31536000 seconds")
        }
        try DirectorBalancer.check(balancer, mode: mode, scheduler: scheduler, persistence: persistence)
    }

    /// Lab names become part of namespace and directory names: short, lower-case, no dots.
    public static func validateName(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard !name.isEmpty, name.count <= 12, name.allSatisfy({ allowed.contains($0) }),
              name.first != "-" else {
            throw InvalidInput("lab name '\(name)' is not valid: use 1 to 12 characters a-z, 0-9 and '-'")
        }
    }
}
