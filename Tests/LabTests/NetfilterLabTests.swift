import Balancing
import Foundation
import Lab
import SystemKit
import XCTest
import Vocabulary

/// Issue 11: the nftables and iptables balancers stand up in the lab, serve the VIP with
/// shares per weight within IPVS's bounds, change live, and leave nothing after `lab down`;
/// what they cannot do is refused before anything is built. Lab names of their own (t-nft,
/// t-ipt, t-nfr) keep these labs apart from LabModeTests' under the same prefix.
final class NetfilterLabTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces)")
    }

    func testNftablesBalancesByWeightLiveAndLeavesNothing() throws {
        try checkBalancer(.nftables, name: "t-nft", listing: ["nft", "list", "table", "ip", "lvsbench"])
    }

    func testIptablesBalancesByWeightLiveAndLeavesNothing() throws {
        try checkBalancer(.iptables, name: "t-ipt", listing: ["iptables-legacy-save", "-t", "nat"])
    }

    /// dr, tun and mixed need no DNAT undone on the way back, which netfilter cannot give;
    /// lc and persistence it does not have: exit 2, one line, nothing built.
    func testUnsupportedCombinationsAreRefusedBeforeAnythingIsBuilt() throws {
        // Only this lab's namespaces: other labs on the host come and go meanwhile.
        func ours() throws -> [String] { try LabEngine.listNamespaces().filter { $0.contains("-t-nfr-") } }
        let before = try ours()
        let cases: [([String], String)] = [
            (["--balancer", "nftables", "--mode", "dr"], "use --mode nat"),
            (["--balancer", "iptables", "--mode", "tun"], "use --mode nat"),
            (["--balancer", "nftables", "--scheduler", "lc"], "use --scheduler rr or wrr"),
            (["--balancer", "iptables", "--scheduler", "wlc"], "use --scheduler rr or wrr"),
            (["--balancer", "iptables", "--persistence", "60"], "no persistence"),
            (["--balancer", "nftables", "--director", "uml"], "nft_chain_nat"),
        ]
        for (args, reason) in cases {
            let r = try LabCLI.run(["lab", "up", "--name", "t-nfr", "--mode", "nat"] + args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(reason), "\(args): \(r.stderr)")
            XCTAssertEqual(try ours(), before, "\(args)")
            XCTAssertEqual(LabTests.leftovers().filter { $0.contains("t-nfr") }, [], "\(args)")
        }
    }

    func checkBalancer(_ kind: BalancerKind, name: String, listing: [String]) throws {
        defer {
            let r = try? LabCLI.run(["lab", "down", "--name", name])
            XCTAssertEqual(r?.status, 0, "lab down: \(r?.stderr ?? "")")
            XCTAssertEqual(LabTests.leftovers().filter { $0.contains(name) }, [], "left behind by lab \(name)")
        }
        let lab = try LabCLI.up(["--name", name, "--mode", "nat", "--reals", "4", "--scheduler", "wrr",
                                 "--weights", "5,5,1,1", "--balancer", kind.rawValue])
        XCTAssertEqual(lab.state.spec.balancer, kind)
        let rules = try LabCLI.run(["lab", "exec", "--name", name, "director", "--"] + listing)
        XCTAssertEqual(rules.status, 0, rules.stderr)
        XCTAssertTrue(rules.stdout.contains("198.18.2.14:80"), rules.stdout)

        // wrr 5,5,1,1: 24 new connections are two cycles, so every real gets exactly its
        // share, by the responses and by the balancer's per-real counters alike.
        let service = VirtualService(address: lab.vip, port: 80)
        let before = try XCTUnwrap(lab.balancer.counters().service(service))
        let tally = try lab.httpRequests(24)
        XCTAssertEqual(tally.ok, 24)
        let after = try XCTUnwrap(lab.balancer.counters().service(service))
        for (i, expected) in [5.0 / 12, 5.0 / 12, 1.0 / 12, 1.0 / 12].enumerated() {
            XCTAssertEqual(tally.share("real\(i + 1)"), expected, accuracy: 0.02, "\(kind) real\(i + 1) responses")
            let address = lab.state.reals[i].address
            let conns = after.reals.total(of: address).conns - before.reals.total(of: address).conns
            XCTAssertEqual(Double(conns) / 24, expected, accuracy: 0.02, "\(kind) real\(i + 1) counters")
        }
        // NAT: the replies come back through the director and are counted.
        XCTAssertGreaterThan(after.counters.outPackets, before.counters.outPackets)
        XCTAssertGreaterThan(after.counters.inBytes, before.counters.inBytes)

        // Live: rr gives equal shares; weight 0 quiesces a real.
        let rr = try LabCLI.run(["lab", "set", "--name", name, "--scheduler", "rr"])
        XCTAssertEqual(rr.status, 0, rr.stderr)
        XCTAssertEqual(try lab.listing().map(\.scheduler), [.rr, .rr])
        let even = try lab.httpRequests(24)
        for k in 1...4 { XCTAssertEqual(even.share("real\(k)"), 0.25, accuracy: 0.02, "\(kind) rr real\(k)") }
        let zero = try LabCLI.run(["lab", "set", "--name", name, "--weights", "1,0,1,1"])
        XCTAssertEqual(zero.status, 0, zero.stderr)
        XCTAssertEqual(try lab.listing().first?.reals.map(\.weight), [1, 0, 1, 1])
        let quiesced = try lab.httpRequests(24)
        XCTAssertEqual(quiesced.ok, 24)
        XCTAssertEqual(quiesced.perReal["real2", default: 0], 0, "\(kind): a real of weight 0 takes no new connection")
        for k in [1, 3, 4] { XCTAssertEqual(quiesced.share("real\(k)"), 1.0 / 3, accuracy: 0.02, "\(kind) real\(k)") }
    }
}
