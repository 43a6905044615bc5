import Foundation
import IPVSControl
@testable import Lab
import SystemKit
import Vocabulary
import XCTest

/// The plan of a lab with a standby director2 (`directors: 2`), checked without root:
/// director2 sits on director1's bridges with `.3` addresses of its own, holds neither the
/// VIP nor the DIP, and reaches the host through a management link of its own.
final class TwoDirectorPlanTests: XCTestCase {
    static let failoverModes: [LabMode] = [.nat, .dr, .tun]

    func plan(_ mode: LabMode, directors: Int, directorHost: DirectorHost = .uml) -> LabPlan {
        Topology.plan(LabSpec(name: "t", mode: mode, reals: 2, directors: directors), directorHost: directorHost, prefix: "px")
    }

    func testDirector2HasItsOwnAddressesAndNeitherVIPNorDIP() throws {
        let expected: [LabMode: [[String]]] = [
            .nat: [["198.19.254.6/30"], ["198.18.1.3/24"], ["198.18.2.3/24"]],
            .dr: [["198.19.254.6/30"], ["198.18.2.3/24"]],
            .tun: [["198.19.254.6/30"], ["198.18.2.3/24"]],
        ]
        for mode in Self.failoverModes {
            let p = plan(mode, directors: 2)
            let d1 = try XCTUnwrap(p.node("director")), d2 = try XCTUnwrap(p.node("director2"))
            XCTAssertEqual(d2.role, .director)
            XCTAssertNil(d2.namespace, "\(mode): a uml director lives in its guest")
            XCTAssertEqual(d2.interfaces.map(\.name), d1.interfaces.map(\.name), "\(mode)")
            XCTAssertEqual(d2.interfaces.map(\.addresses), expected[mode], "\(mode)")
            let held = d2.interfaces.flatMap(\.addresses)
            XCTAssertFalse(held.contains { $0.hasPrefix(p.vip + "/") }, "\(mode): director2 holds the VIP")
            XCTAssertFalse(held.contains { $0.hasPrefix("198.18.2.1/") }, "\(mode): director2 holds the DIP")
            XCTAssertEqual(d2.routes, d1.routes, "\(mode)")
            XCTAssertEqual(d2.sysctls, d1.sysctls, "\(mode)")
            // director1 is exactly the one-director lab's.
            XCTAssertEqual(d1, plan(mode, directors: 1).node("director"), "\(mode)")
        }
        XCTAssertTrue(try XCTUnwrap(plan(.nat, directors: 2).node("director")).interfaces
            .contains { $0.addresses == ["198.18.2.1/24"] }, "director1 keeps the DIP")
    }

    func testDirector2TapsJoinDirector1sBridgesWithAManagementLinkOfItsOwn() throws {
        for mode in Self.failoverModes {
            let p = plan(mode, directors: 2)
            let g1 = try XCTUnwrap(p.guest), g2 = try XCTUnwrap(p.standbyGuest)
            XCTAssertEqual(p.guest(for: "director"), g1)
            XCTAssertEqual(p.guest(for: "director2"), g2)
            XCTAssertEqual(p.guests, [g1, g2], "\(mode): every tap is made")
            XCTAssertEqual(g2.taps.map(\.name), g1.taps.map { $0.name + "2" }, "\(mode)")
            XCTAssertEqual(g2.taps.map(\.bridge), g1.taps.map(\.bridge), "\(mode): the same bridges")
            XCTAssertEqual(g2.taps.map(\.namespace), g1.taps.map(\.namespace), "\(mode)")
            XCTAssertEqual(g1.taps[0].address, "198.19.254.1/30")
            XCTAssertEqual(g2.taps[0].address, "198.19.254.5/30")
            XCTAssertNil(g2.taps[0].bridge, "the management tap is on no bridge")
            XCTAssertEqual(g1.agentHost, "198.19.254.2")
            XCTAssertEqual(g2.agentHost, "198.19.254.6")
            XCTAssertEqual(g2.agentPort, g1.agentPort)
            let bridges = Set(p.bridges.map(\.name))
            XCTAssertTrue(g2.taps.dropFirst().allSatisfy { $0.bridge.map(bridges.contains) == true }, "\(mode)")
            // Captures and everything else watch director1 only.
            XCTAssertEqual(p.directorLinks, plan(mode, directors: 1).directorLinks, "\(mode)")
        }
        XCTAssertEqual(plan(.nat, directors: 2).standbyGuest?.taps.map(\.name), ["t-mgmt2", "t-out2", "t-in2"])
        XCTAssertEqual(plan(.dr, directors: 2).standbyGuest?.taps.map(\.name), ["t-mgmt2", "t-lan2"])
    }

    /// Apart from director2 and the spec's count, the plan is the one-director lab's.
    func testOnlyDirector2IsAdded() {
        for mode in Self.failoverModes {
            for host in DirectorHost.allCases {
                var two = plan(mode, directors: 2, directorHost: host)
                XCTAssertEqual(two.nodes.filter { $0.role == .director }.map(\.name), ["director", "director2"])
                two.nodes.removeAll { $0.name == "director2" }
                two.namespaces.removeAll { $0.hasSuffix("-director2") }
                two.veths.removeAll { $0.aNamespace.hasSuffix("-director2") }
                two.standbyGuest = nil
                two.spec.directors = 1
                XCTAssertEqual(two, plan(mode, directors: 1, directorHost: host), "\(mode) \(host)")
            }
        }
    }

    func testNativeDirector2IsANamespaceWithVethsOnTheSameBridges() throws {
        let p = plan(.nat, directors: 2, directorHost: .native)
        XCTAssertNil(p.standbyGuest)
        XCTAssertEqual(try XCTUnwrap(p.node("director2")).namespace, "px-t-director2")
        XCTAssertEqual(p.namespaces.filter { $0.contains("director") }, ["px-t-director", "px-t-director2"])
        let veths = p.veths.filter { $0.aNamespace == "px-t-director2" }
        XCTAssertEqual(veths.map(\.aName), ["out0", "in0"])
        XCTAssertEqual(veths.map(\.bName), ["d-out2", "d-in2"])
        XCTAssertEqual(veths.map(\.bridge), ["bout", "blan"])
        XCTAssertEqual(try XCTUnwrap(p.node("director2")).interfaces.map(\.addresses), [["198.18.1.3/24"], ["198.18.2.3/24"]])
        let dr = plan(.dr, directors: 2, directorHost: .native).veths.filter { $0.aNamespace == "px-t-director2" }
        XCTAssertEqual(dr.map(\.bName), ["d-lan2"])
        XCTAssertEqual(dr.map(\.bridge), ["blan"])
    }

    func testGuestInitOfDirector2() {
        let p = plan(.dr, directors: 2)
        let script = GuestInit.script(plan: p, labDirectory: "/run/l", executable: "/x/lvsbench", node: "director2")
        XCTAssertTrue(script.contains("ip addr add 198.19.254.6/30 dev vec0"), script)
        XCTAssertTrue(script.contains("ip addr add 198.18.2.3/24 dev vec1"), script)
        XCTAssertFalse(script.contains(p.vip), script)
        XCTAssertTrue(script.contains("lab agent --listen 198.19.254.6:\(Topology.agentPort) --device vec0"), script)
        let argv = GuestInit.bootCommand(plan: p, labDirectory: "/l", umid: "u2", node: "director2")
        XCTAssertTrue(argv.contains("init=/l/director2/guest-init"), "\(argv)")
        XCTAssertEqual(argv.filter { $0.hasPrefix("vec") }.map { $0.components(separatedBy: "ifname=")[1].prefix { $0 != "," } },
                       ["t-mgmt2", "t-lan2"])
        XCTAssertTrue(GuestInit.bootCommand(plan: p, labDirectory: "/l", umid: "u").contains("init=/l/guest-init"))
    }

    func testValidationNamesTheFix() {
        func message(_ spec: LabSpec) -> String {
            do { try spec.validate(); return "no error" } catch let e as InvalidInput { return e.message } catch { return "\(error)" }
        }
        for mode in Self.failoverModes { XCTAssertEqual(message(LabSpec(mode: mode, directors: 2)), "no error") }
        XCTAssertEqual(message(LabSpec(mode: .mixed, directors: 2)), "2 directors need --mode nat, dr or tun, not mixed")
        XCTAssertEqual(message(LabSpec(mode: .nat, balancer: .haproxy, directors: 2)),
                       "2 directors need --balancer ipvs (failover moves IPVS services), not haproxy")
        XCTAssertEqual(message(LabSpec(mode: .dr, directors: 3)), "3 directors requested: a lab has 1 or 2 directors (--directors 1 or 2)")
        XCTAssertEqual(message(LabSpec(mode: .dr, directors: 0)), "0 directors requested: a lab has 1 or 2 directors (--directors 1 or 2)")
        XCTAssertThrowsError(try LabSpec.validated(name: nil, mode: .mixed, reals: 2, scheduler: .rr, weights: nil,
                                                   persistence: nil, director: .uml, directors: 2))
        for m in [LabSpec(mode: .mixed, directors: 2), LabSpec(directors: 3)].map(message) {
            XCTAssertFalse(m.contains("\n"), m)
        }
    }

    func testSpecWritesDirectorsOnlyForTwo() throws {
        let one = String(decoding: try JSONCoding.encode(LabSpec(name: "x", mode: .dr)), as: UTF8.self)
        XCTAssertFalse(one.contains("directors"), one)
        let spec = LabSpec(name: "x", mode: .dr, directors: 2)
        let two = try JSONCoding.encode(spec)
        XCTAssertTrue(String(decoding: two, as: UTF8.self).contains(#""directors" : 2"#))
        XCTAssertEqual(try JSONCoding.decode(LabSpec.self, from: two), spec)
        XCTAssertEqual(try JSONCoding.decode(LabSpec.self, from: Data(one.utf8)).directors, 1)
    }

    /// The state of a two-director lab names director2's agent, and `RunningLab` hands it
    /// out as the standby; a one-director state has none and writes no such key.
    func testStateAndRunningLabExposeTheStandby() throws {
        let uml = LabBuilder(plan: plan(.dr, directors: 2), directory: "/run/l/labs/t", progress: { _ in }).state
        XCTAssertEqual(uml.agentAddress, "198.19.254.2:\(Topology.agentPort)")
        XCTAssertEqual(uml.standbyAgentAddress, "198.19.254.6:\(Topology.agentPort)")
        XCTAssertEqual(uml.node(named: "director2")?.addresses, ["198.18.2.3/24"])
        let lab = RunningLab(state: uml)
        let standby = try XCTUnwrap(lab.standby as? GuestNode)
        XCTAssertEqual(standby.name, "director2")
        XCTAssertEqual(standby.agentAddress, "198.19.254.6:\(Topology.agentPort)")
        XCTAssertEqual((lab.director as? GuestNode)?.agentAddress, "198.19.254.2:\(Topology.agentPort)")
        XCTAssertTrue(lab.standbyBalancer is IPVSBalancer)
        XCTAssertEqual(try lab.node(named: "director2").name, "director2")
        XCTAssertEqual(lab.nodes.map(\.name), ["client", "router", "director", "real1", "real2"])
        XCTAssertEqual(try JSONCoding.decode(LabState.self, from: JSONCoding.encode(uml)).standbyAgentAddress,
                       uml.standbyAgentAddress)

        let native = LabBuilder(plan: plan(.nat, directors: 2, directorHost: .native), directory: "/run/l/labs/t",
                                progress: { _ in }).state
        XCTAssertEqual((RunningLab(state: native).standby as? NamespaceNode)?.namespace, "px-t-director2")
        XCTAssertNil(native.standbyAgentAddress)

        let single = LabBuilder(plan: plan(.dr, directors: 1), directory: "/run/l/labs/t", progress: { _ in }).state
        XCTAssertNil(RunningLab(state: single).standby)
        XCTAssertNil(RunningLab(state: single).standbyBalancer)
        XCTAssertFalse(String(decoding: try JSONCoding.encode(single), as: UTF8.self).contains("standby"))
        XCTAssertThrowsError(try RunningLab(state: single).node(named: "director2"))
    }

    /// director2's guest has a umid of its own that is lab `a`'s and no other lab's.
    func testGuestUmidsBelongToTheirLabOnly() {
        XCTAssertEqual(LabState.guestUmid(prefix: "px", lab: "a"), "px-a")
        XCTAssertEqual(LabState.guestUmid(prefix: "px", lab: "a", node: "director2"), "px-a.director2")
        XCTAssertTrue(LabState.marker("umid=px-a.director2", belongsTo: "a", prefix: "px"))
        XCTAssertFalse(LabState.marker("umid=px-a.director2", belongsTo: "a-director2", prefix: "px"))
        XCTAssertFalse(LabState.marker("umid=px-a-director2", belongsTo: "a", prefix: "px"))
        XCTAssertTrue(LabState.namespace("px-a-director2", belongsTo: "a", prefix: "px"))
    }
}
