import Vocabulary

/// One of the lab's directors, and what sets it apart from the other: director1 is active
/// (it holds the VIP, and in NAT the DIP the reals route through), director2 stands by on
/// the same links with addresses of its own, ready for VRRP to move the VIP and DIP to it.
struct DirectorSeat: Equatable, Sendable {
    /// The node's name: `director` or `director2`.
    var name: String
    /// Appended to the director's switch-side link names (`d-lan`, `t-lan2`, `t-mgmt2`).
    var suffix: String
    /// Whether this director holds the VIP (and in NAT the DIP).
    var active: Bool
    /// The switch end of the uml guest's management link, "address/30".
    var managementTap: String
    /// The guest end of that link, where its agent listens.
    var agentHost: String

    static let active = DirectorSeat(name: "director", suffix: "", active: true,
                                     managementTap: "198.19.254.1/30", agentHost: "198.19.254.2")
    static let standby = DirectorSeat(name: "director2", suffix: "2", active: false,
                                      managementTap: "198.19.254.5/30", agentHost: "198.19.254.6")

    /// The seats of a lab with `count` directors, director1 first.
    static func seats(_ count: Int) -> [DirectorSeat] { count >= 2 ? [.active, .standby] : [.active] }

    /// This director's interfaces, in guest order (vec1, vec2, ...) for a uml director. The
    /// standby has `.3` on each net where director1 has its near address or the DIP.
    func interfaces(_ arms: DirectorArms, vip: String) -> [InterfacePlan] {
        guard !active else { return arms.interfaces(vip: vip) }
        switch arms {
        case .outsideAndInside:
            return [InterfacePlan(name: "out0", addresses: ["\(Topology.outsideNet).3/24"]),
                    InterfacePlan(name: "in0", addresses: ["\(Topology.realsNet).3/24"])]
        case .lan:
            return [InterfacePlan(name: "lan0", addresses: ["\(Topology.realsNet).3/24"])]
        }
    }
}
