import IPVSControl
import Vocabulary

/// How one lab mode is wired, as data: where the director sits, where the VIP lives, how
/// the router joins the reals' net and which gateway each kind of real routes its replies
/// through. `Topology.plan` reads the row of its mode instead of asking which mode it is, so
/// a new mode is one more row in `row(for:)`.
struct ModeWiring: Equatable, Sendable {
    /// Which nets the director has a leg on.
    var director: DirectorArms
    /// The /24 the VIP is taken from (`<net>.100`): the net the client's requests reach
    /// the director on.
    var vipNet: String
    /// The router's address on the reals' net, nil when the router has no leg there (NAT:
    /// the reals reach the client only through the director).
    var routerLanAddress: String?
    /// The router's `net.ipv4.conf.<scope>.rp_filter` scopes ("all", interfaces) turned off.
    var routerRPFilterOff: [String]
    /// The default gateway of a real, by how the director forwards to it.
    var gateways: [ForwardingMethod: String]

    /// The table: one row per mode. An exhaustive switch, so a mode without a row does not build.
    static func row(for mode: LabMode) -> ModeWiring {
        let realsNet = Topology.realsNet, outsideNet = Topology.outsideNet
        switch mode {
        case .nat:
            // NAT reals answer through the director's inside address (the DIP).
            return ModeWiring(director: .outsideAndInside, vipNet: outsideNet, routerLanAddress: nil,
                              routerRPFilterOff: [], gateways: [.nat: "\(realsNet).1"])
        case .dr:
            return ModeWiring(director: .lan, vipNet: realsNet, routerLanAddress: "\(realsNet).1/24",
                              routerRPFilterOff: [], gateways: [.dr: "\(realsNet).1"])
        case .tun:
            return ModeWiring(director: .lan, vipNet: realsNet, routerLanAddress: "\(realsNet).1/24",
                              routerRPFilterOff: [], gateways: [.tun: "\(realsNet).1"])
        case .mixed:
            // The DIP keeps .1 for the NAT reals; the router joins the reals' net at .254 for
            // the DR/TUN reals, whose replies carry the VIP (an outside address) into lan0.
            return ModeWiring(director: .outsideAndInside, vipNet: outsideNet,
                              routerLanAddress: "\(realsNet).254/24", routerRPFilterOff: ["all", "lan0", "out0"],
                              gateways: [.nat: "\(realsNet).1", .dr: "\(realsNet).254", .tun: "\(realsNet).254"])
        }
    }

    var vip: String { "\(vipNet).100" }

    /// The gateway of a real forwarded by `method`; every method a mode assigns has one.
    func gateway(for method: ForwardingMethod) -> String {
        guard let gateway = gateways[method] else {
            preconditionFailure("no gateway for \(method) reals in this mode's wiring")
        }
        return gateway
    }
}

/// Where the director sits, and so its interfaces, routes, sysctls and captured links.
enum DirectorArms: Equatable, Sendable {
    /// Between an outside net (toward the router) and the reals' net (nat, mixed).
    case outsideAndInside
    /// One-armed on the reals' LAN, beside the router (dr, tun).
    case lan

    /// The director's own address on the net the router reaches it by.
    var nearAddress: String {
        switch self {
        case .outsideAndInside: return "\(Topology.outsideNet).2"
        case .lan: return "\(Topology.realsNet).2"
        }
    }

    /// The director's interfaces, in guest order (vec1, vec2, ...) for a uml director.
    func interfaces(vip: String) -> [InterfacePlan] {
        switch self {
        case .outsideAndInside:
            return [InterfacePlan(name: "out0", addresses: ["\(nearAddress)/24", "\(vip)/32"]),
                    InterfacePlan(name: "in0", addresses: ["\(Topology.realsNet).1/24"])]
        case .lan:
            return [InterfacePlan(name: "lan0", addresses: ["\(nearAddress)/24", "\(vip)/32"])]
        }
    }

    var routes: [RoutePlan] {
        switch self {
        case .outsideAndInside: return [RoutePlan(destination: "\(Topology.clientNet).0/24", via: "\(Topology.outsideNet).1")]
        case .lan: return [RoutePlan(destination: "default", via: "\(Topology.realsNet).1")]
        }
    }

    func sysctls(directorHost: DirectorHost) -> [SysctlPlan] {
        let forward = [SysctlPlan(key: "net.ipv4.ip_forward", value: "1")]
        switch self {
        case .outsideAndInside:
            return forward
        case .lan:
            // The plain-forward reference leaves by the interface it came in on: forwarding
            // on, and no ICMP redirect telling the router to skip the director.
            let lanName = directorHost == .uml ? "vec1" : "lan0"
            return forward + ["all", lanName].map { SysctlPlan(key: "net.ipv4.conf.\($0).send_redirects", value: "0") }
        }
    }

    /// Each director link: the switch bridge it joins, which traffic it carries, and the
    /// suffix of its switch-side name (`d-<suffix>` veth, `t-<suffix>` tap).
    func sides(outside: String, lan: String) -> [(bridge: String, side: CaptureSide, swName: String)] {
        switch self {
        case .outsideAndInside: return [(outside, .outside, "out"), (lan, .inside, "in")]
        case .lan: return [(lan, .lan, "lan")]
        }
    }
}
