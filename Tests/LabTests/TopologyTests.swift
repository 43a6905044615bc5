import IPVSControl
@testable import Lab
import XCTest
import Vocabulary

/// The address, route and sysctl plan of every mode, checked without root.
final class TopologyTests: XCTestCase {
    func plan(_ mode: LabMode, reals: Int = 3, directorHost: DirectorHost = .uml) -> LabPlan {
        Topology.plan(LabSpec(name: "t", mode: mode, reals: reals), directorHost: directorHost, prefix: "px")
    }

    func testNATAddressesAndGateways() throws {
        let p = plan(.nat)
        XCTAssertEqual(p.vip, "198.18.1.100")
        XCTAssertEqual(p.namespaces, ["px-t-sw", "px-t-client", "px-t-router", "px-t-real1", "px-t-real2", "px-t-real3"])
        let director = try XCTUnwrap(p.node("director"))
        XCTAssertNil(director.namespace)
        XCTAssertEqual(director.interfaces.map(\.addresses),
                       [["198.19.254.2/30"], ["198.18.1.2/24", "198.18.1.100/32"], ["198.18.2.1/24"]])
        XCTAssertEqual(director.routes, [RoutePlan(destination: "198.18.0.0/24", via: "198.18.1.1"),
                                         RoutePlan(destination: "198.19.253.2/32", via: "198.18.2.11")])
        XCTAssertTrue(director.sysctls.contains(SysctlPlan(key: "net.ipv4.ip_forward", value: "1")))
        for k in 1...3 {
            let real = try XCTUnwrap(p.node("real\(k)"))
            XCTAssertEqual(real.interfaces[0].addresses, ["198.18.2.\(10 + k)/24"])
            XCTAssertEqual(real.routes, [RoutePlan(destination: "default", via: "198.18.2.1")])
            XCTAssertEqual(real.loopbackAddresses, k == 1 ? ["198.19.253.2/32"] : [])
        }
        XCTAssertEqual(p.reals.map(\.forwarding), [.nat, .nat, .nat])
        XCTAssertEqual(p.directorLinks.map(\.side), [.outside, .inside])
        XCTAssertEqual(p.directorLinks.map(\.interface), ["t-out", "t-in"])
    }

    func testDRRealsHoldVIPOnLoopbackAndIgnoreARP() throws {
        let p = plan(.dr)
        XCTAssertEqual(p.vip, "198.18.2.100")
        let real = try XCTUnwrap(p.node("real2"))
        XCTAssertEqual(real.loopbackAddresses, ["198.18.2.100/32"])
        XCTAssertEqual(real.routes, [RoutePlan(destination: "default", via: "198.18.2.1")])
        for scope in ["all", "eth0"] {
            XCTAssertTrue(real.sysctls.contains(SysctlPlan(key: "net.ipv4.conf.\(scope).arp_ignore", value: "1")))
            XCTAssertTrue(real.sysctls.contains(SysctlPlan(key: "net.ipv4.conf.\(scope).arp_announce", value: "2")))
        }
        XCTAssertEqual(real.decapInterfaces, [])
        XCTAssertEqual(p.node("router")?.interfaces.map(\.addresses), [["198.18.0.1/24"], ["198.18.2.1/24"]])
        XCTAssertEqual(p.directorLinks, [CaptureLink(namespace: "px-t-sw", interface: "t-lan", side: .lan)])
        XCTAssertEqual(p.bridges.map(\.name), ["blan"])
    }

    func testTUNRealsDecapsulateWithoutReversePathFilter() throws {
        let real = try XCTUnwrap(plan(.tun).node("real1"))
        XCTAssertEqual(real.decapInterfaces, ["eth0"])
        XCTAssertTrue(real.sysctls.contains(SysctlPlan(key: "net.ipv4.conf.all.rp_filter", value: "0")))
        XCTAssertTrue(real.sysctls.contains(SysctlPlan(key: "net.ipv4.conf.eth0.rp_filter", value: "0")))
        XCTAssertEqual(plan(.tun).reals.map(\.forwarding), [.tun, .tun, .tun])
    }

    func testMixedAssignsForwardingRoundRobinWithMatchingGateways() throws {
        let p = plan(.mixed, reals: 4)
        XCTAssertEqual(p.reals.map(\.forwarding), [.nat, .dr, .tun, .nat])
        XCTAssertEqual(p.node("real1")?.routes.first?.via, "198.18.2.1")
        XCTAssertEqual(p.node("real2")?.routes.first?.via, "198.18.2.254")
        XCTAssertEqual(p.node("real3")?.routes.first?.via, "198.18.2.254")
        XCTAssertEqual(p.node("real2")?.loopbackAddresses, ["198.18.1.100/32"])
        XCTAssertEqual(p.node("real3")?.decapInterfaces, ["eth0"])
        XCTAssertEqual(p.node("real4")?.loopbackAddresses, [])
        let router = try XCTUnwrap(p.node("router"))
        XCTAssertEqual(router.interfaces.map(\.name), ["cli0", "out0", "lan0"])
        XCTAssertTrue(router.sysctls.contains(SysctlPlan(key: "net.ipv4.conf.all.rp_filter", value: "0")))
    }

    func testNativeDirectorIsANamespaceWithVethsIntoTheSwitch() throws {
        let p = plan(.nat, directorHost: .native)
        XCTAssertTrue(p.namespaces.contains("px-t-director"))
        XCTAssertNil(p.guest)
        XCTAssertEqual(p.node("director")?.namespace, "px-t-director")
        let veths = p.veths.filter { $0.aNamespace == "px-t-director" }
        XCTAssertEqual(veths.map(\.bName), ["d-out", "d-in"])
        XCTAssertEqual(veths.map(\.bridge), ["bout", "blan"])
        XCTAssertEqual(p.directorLinks.map(\.interface), ["d-out", "d-in"])
    }

    func testEveryAddressAndRouteStaysInTheBenchmarkRange() {
        for mode in LabMode.allCases {
            for directorHost in DirectorHost.allCases {
                let p = plan(mode, reals: 64, directorHost: directorHost)
                let addresses = p.nodes.flatMap { $0.interfaces.flatMap(\.addresses) + $0.loopbackAddresses }
                    + p.nodes.flatMap { $0.routes.map(\.via) } + [p.vip, p.directAddress]
                for a in addresses {
                    let octets = a.split(separator: "/")[0].split(separator: ".").compactMap { Int($0) }
                    XCTAssertEqual(octets.count, 4, a)
                    XCTAssertTrue(octets[0] == 198 && (octets[1] == 18 || octets[1] == 19), "\(mode) \(a) outside 198.18.0.0/15")
                }
                XCTAssertEqual(Set(addresses).count <= addresses.count, true)
                XCTAssertEqual(p.node("real64")?.interfaces[0].addresses, ["198.18.2.74/24"])
                XCTAssertEqual(p.node("client")?.routes, [RoutePlan(destination: "default", via: "198.18.0.1")])
                // Every link lives in a namespace of this lab; nothing in the host's.
                for v in p.veths {
                    XCTAssertTrue(v.aNamespace.hasPrefix("px-t-") && v.bNamespace.hasPrefix("px-t-"))
                }
                XCTAssertTrue(p.veths.allSatisfy { $0.aName.count <= 15 && $0.bName.count <= 15 })
            }
        }
    }

    /// The plain-forward reference: real1's second address is routed client → router →
    /// director → real1, in every mode and backend; a one-armed director forwards it out the
    /// interface it came in on, so it must forward and must not send redirects.
    func testPlainForwardAddressIsRoutedThroughTheDirector() throws {
        for directorHost in DirectorHost.allCases {
            for mode in LabMode.allCases {
                let p = plan(mode, directorHost: directorHost)
                XCTAssertEqual(p.node("real1")?.loopbackAddresses.first, "198.19.253.2/32", "\(mode)")
                XCTAssertFalse(p.node("real2")?.loopbackAddresses.contains("198.19.253.2/32") ?? true)
                let toDirector = mode.twoArmed ? "198.18.1.2" : "198.18.2.2"
                XCTAssertEqual(p.node("router")?.routes, [RoutePlan(destination: "198.19.253.2/32", via: toDirector)])
                let director = try XCTUnwrap(p.node("director"))
                XCTAssertTrue(director.routes.contains(RoutePlan(destination: "198.19.253.2/32", via: "198.18.2.11")))
                XCTAssertTrue(director.sysctls.contains(SysctlPlan(key: "net.ipv4.ip_forward", value: "1")), "\(mode)")
                if !mode.twoArmed {
                    let lan = directorHost == .uml ? "vec1" : "lan0"
                    for scope in ["all", lan] {
                        XCTAssertTrue(director.sysctls.contains(
                            SysctlPlan(key: "net.ipv4.conf.\(scope).send_redirects", value: "0")), "\(mode) \(directorHost)")
                    }
                }
            }
        }
    }

    func testEveryModeHasTheDirectPathAndBothServices() {
        for mode in LabMode.allCases {
            let p = plan(mode, reals: 1)
            XCTAssertEqual(p.node("client")?.interfaces.last?.addresses, ["198.19.255.1/30"])
            XCTAssertEqual(p.node("real1")?.interfaces.last?.addresses, ["198.19.255.2/30"])
            XCTAssertEqual(p.services.map(\.port), [80, 9000])
            XCTAssertTrue(p.services.allSatisfy { $0.address == p.vip })
        }
    }
}
