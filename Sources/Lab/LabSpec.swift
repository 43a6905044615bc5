import Foundation
import SystemKit
import Vocabulary

/// The lab as data: everything `lab up` needs, validated before anything touches the host.
public struct LabSpec: Codable, Equatable, Sendable {
    public static let defaultName = "default"
    public static let realsRange: ClosedRange<Int> = 1...64
    public static let directorsRange: ClosedRange<Int> = 1...2

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
    /// How many directors sit on the lab's links: 1, or 2 for failover (director2 stands by
    /// with the same IPVS services but without the VIP and the DIP, which VRRP moves).
    public var directors: Int

    public init(name: String = LabSpec.defaultName, mode: LabMode = .nat, reals: Int = 2,
                scheduler: Scheduler = .wrr, weights: [Int]? = nil, persistence: Int? = nil,
                director: DirectorChoice = .auto, balancer: BalancerKind = .ipvs, directors: Int = 1) {
        self.name = name
        self.mode = mode
        self.reals = reals
        self.scheduler = scheduler
        self.weights = weights ?? Array(repeating: 1, count: max(reals, 0))
        self.persistence = persistence
        self.director = director
        self.balancer = balancer
        self.directors = directors
    }

    enum CodingKeys: String, CodingKey {
        case name, mode, reals, scheduler, weights, persistence, director, balancer, directors
    }

    /// A state file written before balancers other than IPVS existed has no `balancer`: IPVS;
    /// one without `directors` has one director.
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
        directors = try c.decodeIfPresent(Int.self, forKey: .directors) ?? 1
    }

    /// An IPVS lab's spec with one director is written as before balancers other than IPVS
    /// and second directors existed.
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
        if directors != 1 { try c.encode(directors, forKey: .directors) }
    }

    /// Builds a spec from the command line's typed values (`weights` nil or empty: 1 each);
    /// every error is `InvalidInput` (exit 2).
    public static func validated(name: String?, mode: LabMode, reals: Int, scheduler: Scheduler,
                                 weights: [Int]?, persistence: Int?, director: DirectorChoice,
                                 balancer: BalancerKind = .ipvs, directors: Int = 1) throws -> LabSpec {
        let spec = LabSpec(name: name ?? defaultName, mode: mode, reals: reals, scheduler: scheduler,
                           weights: realsRange.contains(reals) ? try Weights.fitted(weights, reals: reals) : [],
                           persistence: persistence, director: director, balancer: balancer, directors: directors)
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
        try validateDirectors()
    }

    /// A second director takes over IPVS's services by VRRP and connection sync: it needs
    /// IPVS, and one forwarding method for every real.
    func validateDirectors() throws {
        guard LabSpec.directorsRange.contains(directors) else {
            throw InvalidInput("\(directors) directors requested: a lab has 1 or 2 directors (--directors 1 or 2)")
        }
        guard directors == 2 else { return }
        guard balancer == .ipvs else {
            throw InvalidInput("2 directors need --balancer ipvs (failover moves IPVS services), not \(balancer.rawValue)")
        }
        guard mode != .mixed else {
            throw InvalidInput("2 directors need --mode nat, dr or tun, not mixed")
        }
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
