import Foundation
import Vocabulary

/// A cell of the matrix that was asked for but not measured, because its balancer cannot
/// run it (nftables has no least-connection scheduler, for one): the report lists it, so a
/// missing cell is never mistaken for a lost one.
public struct NotMeasured: Codable, Equatable, Sendable {
    public var mode: LabMode
    public var balancer: BalancerKind
    public var scheduler: Scheduler
    public var profile: String
    /// Why, in the balancer's own words (the message `lab up` would refuse it with).
    public var reason: String

    public init(mode: LabMode, balancer: BalancerKind, scheduler: Scheduler, profile: String, reason: String) {
        self.mode = mode
        self.balancer = balancer
        self.scheduler = scheduler
        self.profile = profile
        self.reason = reason
    }

    /// "nat nftables lc default": the cell as the report names it.
    public var label: String { "\(mode.rawValue) \(balancer.rawValue) \(scheduler.rawValue) \(profile)" }
}
