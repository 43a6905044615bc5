import IPVSControl
import Vocabulary

/// Turns a spec into a complete plan of namespaces, links, addresses, routes, sysctls and
/// IPVS configuration. Pure (no I/O), so every mode's wiring is unit-tested without root.
/// What differs between modes is read from the mode's row of `ModeWiring`, not branched on.
///
/// Address plan (all inside 198.18.0.0/15, RFC 2544):
/// - client net 198.18.0.0/24: router .1, client .2 (a veth pair, no bridge);
/// - nat/mixed outside 198.18.1.0/24: router .1, director .2, VIP .100 on the director;
/// - reals' net 198.18.2.0/24: realK .(10+K); nat: director DIP .1 is the reals' gateway;
///   dr/tun: router .1 is the gateway, director .2, VIP .100; mixed: router .254 is the
///   gateway of the DR/TUN reals;
/// - direct path 198.19.255.0/30: client .1, real1 .2; guest management 198.19.254.0/30;
/// - with `directors: 2`, director2 stands by with .3 on each net director1 has a leg on,
///   neither VIP nor DIP, guest management 198.19.254.4/30 (see `DirectorSeat`);
/// - plain-forward address 198.19.253.2/32 on real1's loopback, routed client → router →
///   director → real1 (see `plainAddress`).
public enum Topology {
    public static let clientNet = "198.18.0"
    public static let outsideNet = "198.18.1"
    public static let realsNet = "198.18.2"
    public static let httpPort = 80
    public static let tcpPort = 9000
    public static let agentPort = 7070
    /// real1's second address, reached from the client through the same director by plain
    /// IP routing, without IPVS: no virtual service matches it. The router routes it to the
    /// director, the director to real1's RIP. Replies follow real1's default route, as IPVS
    /// traffic's do: in NAT back through the director, in DR/TUN straight to the router.
    public static let plainAddress = "198.19.253.2"

    /// The namespace of `node` in lab `name`.
    public static func namespace(prefix: String, lab name: String, node: String) -> String {
        "\(prefix)-\(name)-\(node)"
    }

    /// The address of real `index` (1-based) on the reals' net.
    public static func realAddress(_ index: Int) -> String { "\(realsNet).\(10 + index)" }

    public static func vip(for mode: LabMode) -> String { ModeWiring.row(for: mode).vip }

    public static func plan(_ spec: LabSpec, directorHost: DirectorHost, prefix: String) -> LabPlan {
        let ns = { (node: String) in namespace(prefix: prefix, lab: spec.name, node: node) }
        let sw = ns("sw"), mode = spec.mode, wiring = ModeWiring.row(for: mode), vip = wiring.vip
        let twoArmed = wiring.director == .outsideAndInside
        let outside = "bout", lan = "blan"
        var bridges = [BridgePlan(namespace: sw, name: lan)]
        if twoArmed { bridges.insert(BridgePlan(namespace: sw, name: outside), at: 0) }
        var veths: [VethPlan] = []
        var nodes: [NodePlan] = []
        var namespaces = [sw, ns("client"), ns("router")]

        // Client: its net toward the router, and the direct path to real1. It stands for many
        // clients, so its own port allocator must not be what new-connection load measures:
        // back-to-back windows of tcp-crr leave ~15,000 of its 28,000 ports in TIME_WAIT, and
        // without reuse the next window's connect() slowed to a third of the rate.
        veths.append(VethPlan(aNamespace: ns("client"), aName: "eth0", bNamespace: ns("router"), bName: "cli0", bridge: nil))
        veths.append(VethPlan(aNamespace: ns("client"), aName: "direct0", bNamespace: ns("real1"), bName: "direct0", bridge: nil))
        nodes.append(NodePlan(name: "client", role: .client, namespace: ns("client"),
                              interfaces: [InterfacePlan(name: "eth0", addresses: ["\(clientNet).2/24"]),
                                           InterfacePlan(name: "direct0", addresses: ["198.19.255.1/30"])],
                              loopbackAddresses: [], routes: [RoutePlan(destination: "default", via: "\(clientNet).1")],
                              sysctls: [SysctlPlan(key: "net.ipv4.tcp_tw_reuse", value: "1")], decapInterfaces: []))

        // Router: forwards between the client net and the director's (or the reals') net.
        var routerIfs = [InterfacePlan(name: "cli0", addresses: ["\(clientNet).1/24"])]
        var routerSysctls = [SysctlPlan(key: "net.ipv4.ip_forward", value: "1")]
        if twoArmed {
            veths.append(VethPlan(aNamespace: ns("router"), aName: "out0", bNamespace: sw, bName: "rt-out", bridge: outside))
            routerIfs.append(InterfacePlan(name: "out0", addresses: ["\(outsideNet).1/24"]))
        }
        if let routerLan = wiring.routerLanAddress {
            veths.append(VethPlan(aNamespace: ns("router"), aName: "lan0", bNamespace: sw, bName: "rt-lan", bridge: lan))
            routerIfs.append(InterfacePlan(name: "lan0", addresses: [routerLan]))
        }
        routerSysctls += wiring.routerRPFilterOff.map { SysctlPlan(key: "net.ipv4.conf.\($0).rp_filter", value: "0") }
        nodes.append(NodePlan(name: "router", role: .router, namespace: ns("router"), interfaces: routerIfs,
                              loopbackAddresses: [],
                              routes: [RoutePlan(destination: "\(plainAddress)/32", via: wiring.director.nearAddress)],
                              sysctls: routerSysctls, decapInterfaces: []))

        // Directors: director1, and for failover director2 on the same bridges.
        var guests: [GuestPlan] = [], links: [CaptureLink] = []
        for seat in DirectorSeat.seats(spec.directors) {
            let (director, guest, seatLinks) = directorPlan(seat: seat, arms: wiring.director, directorHost: directorHost, sw: sw,
                                                            ns: ns(seat.name), outside: outside, lan: lan, vip: vip)
            if directorHost == .native {
                namespaces.append(ns(seat.name))
                for iface in director.interfaces {
                    veths.append(VethPlan(aNamespace: ns(seat.name), aName: iface.name, bNamespace: sw,
                                          bName: "d-" + iface.name.dropLast(1) + seat.suffix,
                                          bridge: iface.name == "out0" ? outside : lan))
                }
            }
            nodes.append(director)
            if let guest { guests.append(guest) }
            if seat.active { links = seatLinks }
        }

        // Reals.
        var reals: [IPVSRealPlan] = []
        for k in 1...spec.reals {
            let name = "real\(k)", fwd = mode.forwarding(ofReal: k)
            namespaces.append(ns(name))
            veths.append(VethPlan(aNamespace: ns(name), aName: "eth0", bNamespace: sw, bName: "r\(k)", bridge: lan))
            var ifs = [InterfacePlan(name: "eth0", addresses: ["\(realAddress(k))/24"])]
            if k == 1 { ifs.append(InterfacePlan(name: "direct0", addresses: ["198.19.255.2/30"])) }
            let gateway = wiring.gateway(for: fwd)
            var sysctls: [SysctlPlan] = []
            var loopback: [String] = k == 1 ? ["\(plainAddress)/32"] : []
            var decap: [String] = []
            if fwd != .nat {
                loopback.append("\(vip)/32")
                for scope in ["all", "eth0"] {
                    sysctls.append(SysctlPlan(key: "net.ipv4.conf.\(scope).arp_ignore", value: "1"))
                    sysctls.append(SysctlPlan(key: "net.ipv4.conf.\(scope).arp_announce", value: "2"))
                }
            }
            if fwd == .tun {
                sysctls += ["all", "eth0", "lo"].map { SysctlPlan(key: "net.ipv4.conf.\($0).rp_filter", value: "0") }
                decap = ["eth0"]
            }
            nodes.append(NodePlan(name: name, role: .real, namespace: ns(name), interfaces: ifs,
                                  loopbackAddresses: loopback, routes: [RoutePlan(destination: "default", via: gateway)],
                                  sysctls: sysctls, decapInterfaces: decap))
            reals.append(IPVSRealPlan(address: realAddress(k), weight: spec.weights[k - 1], forwarding: fwd))
        }

        return LabPlan(spec: spec, directorHost: directorHost, prefix: prefix, vip: vip, httpPort: httpPort, tcpPort: tcpPort,
                       namespaces: namespaces, switchNamespace: sw, bridges: bridges, veths: veths, guest: guests.first,
                       nodes: nodes,
                       services: [VirtualService(address: vip, port: httpPort), VirtualService(address: vip, port: tcpPort)],
                       reals: reals, directorLinks: links, directAddress: "198.19.255.2",
                       directClientAddress: "198.19.255.1", standbyGuest: guests.dropFirst().first)
    }

    /// A director's interfaces (guest `vecN` names for uml, veth names for native), its
    /// taps for uml, and the links a capture watches from the switch namespace.
    static func directorPlan(seat: DirectorSeat, arms: DirectorArms, directorHost: DirectorHost, sw: String, ns: String,
                             outside: String, lan: String, vip: String)
        -> (NodePlan, GuestPlan?, [CaptureLink]) {
        let ifs = seat.interfaces(arms, vip: vip), sysctls = arms.sysctls(directorHost: directorHost)
        let sides = arms.sides(outside: outside, lan: lan)
        var routes = arms.routes
        routes.append(RoutePlan(destination: "\(plainAddress)/32", via: realAddress(1)))
        switch directorHost {
        case .native:
            let links = sides.map { CaptureLink(namespace: sw, interface: "d-\($0.swName)\(seat.suffix)", side: $0.side) }
            return (NodePlan(name: seat.name, role: .director, namespace: ns, interfaces: ifs, loopbackAddresses: [],
                             routes: routes, sysctls: sysctls, decapInterfaces: []), nil, links)
        case .uml:
            var taps = [TapPlan(namespace: sw, name: "t-mgmt" + seat.suffix, bridge: nil, address: seat.managementTap)]
            taps += sides.map { TapPlan(namespace: sw, name: "t-\($0.swName)\(seat.suffix)", bridge: $0.bridge, address: nil) }
            var guestIfs = [InterfacePlan(name: "vec0", addresses: ["\(seat.agentHost)/30"])]
            for (i, iface) in ifs.enumerated() { guestIfs.append(InterfacePlan(name: "vec\(i + 1)", addresses: iface.addresses)) }
            let links = sides.map { CaptureLink(namespace: sw, interface: "t-\($0.swName)\(seat.suffix)", side: $0.side) }
            return (NodePlan(name: seat.name, role: .director, namespace: nil, interfaces: guestIfs, loopbackAddresses: [],
                             routes: routes, sysctls: sysctls, decapInterfaces: []),
                    GuestPlan(taps: taps, agentHost: seat.agentHost, agentPort: agentPort), links)
        }
    }
}
