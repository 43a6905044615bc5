import Balancing
import NetfilterBalancing
import Vocabulary
import XCTest

/// The exact rules both netfilter balancers render for the lab's wrr service of four reals
/// weighted 5,5,1,1, and the slots behind them.
final class NetfilterRulesetTests: XCTestCase {
    let vip = VirtualService(address: "198.18.1.100", port: 80)

    func spec(_ weights: [Int], scheduler: Scheduler = .wrr) -> ServiceSpec {
        ServiceSpec(service: vip, scheduler: scheduler, reals: weights.enumerated().map {
            RealSpec(address: "198.18.2.\(11 + $0.offset)", port: 80, forwarding: .nat, weight: $0.element)
        })
    }

    func testSlotsGiveEachRealItsWeightPerCycle() {
        XCTAssertEqual(NetfilterPlan.slots(spec([5, 5, 1, 1])), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 3])
        XCTAssertEqual(NetfilterPlan.slots(spec([10, 10, 2, 2])), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 3])
        XCTAssertEqual(NetfilterPlan.slots(spec([5, 0, 1, 1])), [0, 0, 0, 0, 0, 2, 3])
        XCTAssertEqual(NetfilterPlan.slots(spec([5, 5, 1, 1], scheduler: .rr)), [0, 1, 2, 3])
        XCTAssertEqual(NetfilterPlan.slots(spec([0, 0, 1, 0], scheduler: .rr)), [2])
        XCTAssertEqual(NetfilterPlan.slots(spec([0, 0])), [])
    }

    func testNftablesRulesForAWeightedService() {
        XCTAssertEqual(NftablesRuleset.install(spec([5, 5, 1, 1])), """
            add chain ip lvsbench t_198_18_1_100_80
            flush chain ip lvsbench t_198_18_1_100_80
            add rule ip lvsbench t_198_18_1_100_80 ct direction original counter comment "in"
            add rule ip lvsbench t_198_18_1_100_80 ct direction reply counter comment "out"
            add chain ip lvsbench r_198_18_1_100_80_198_18_2_11_80
            flush chain ip lvsbench r_198_18_1_100_80_198_18_2_11_80
            add rule ip lvsbench r_198_18_1_100_80_198_18_2_11_80 meta l4proto tcp counter dnat to 198.18.2.11:80
            add chain ip lvsbench r_198_18_1_100_80_198_18_2_12_80
            flush chain ip lvsbench r_198_18_1_100_80_198_18_2_12_80
            add rule ip lvsbench r_198_18_1_100_80_198_18_2_12_80 meta l4proto tcp counter dnat to 198.18.2.12:80
            add chain ip lvsbench r_198_18_1_100_80_198_18_2_13_80
            flush chain ip lvsbench r_198_18_1_100_80_198_18_2_13_80
            add rule ip lvsbench r_198_18_1_100_80_198_18_2_13_80 meta l4proto tcp counter dnat to 198.18.2.13:80
            add chain ip lvsbench r_198_18_1_100_80_198_18_2_14_80
            flush chain ip lvsbench r_198_18_1_100_80_198_18_2_14_80
            add rule ip lvsbench r_198_18_1_100_80_198_18_2_14_80 meta l4proto tcp counter dnat to 198.18.2.14:80
            add chain ip lvsbench s_198_18_1_100_80
            flush chain ip lvsbench s_198_18_1_100_80
            add rule ip lvsbench s_198_18_1_100_80 meta l4proto tcp comment "service 198.18.1.100:80 scheduler wrr"
            add rule ip lvsbench s_198_18_1_100_80 meta l4proto tcp comment "real 198.18.2.11:80 weight 5"
            add rule ip lvsbench s_198_18_1_100_80 meta l4proto tcp comment "real 198.18.2.12:80 weight 5"
            add rule ip lvsbench s_198_18_1_100_80 meta l4proto tcp comment "real 198.18.2.13:80 weight 1"
            add rule ip lvsbench s_198_18_1_100_80 meta l4proto tcp comment "real 198.18.2.14:80 weight 1"
            add rule ip lvsbench s_198_18_1_100_80 numgen inc mod 12 vmap { 0-4 : jump r_198_18_1_100_80_198_18_2_11_80, 5-9 : jump r_198_18_1_100_80_198_18_2_12_80, 10 : jump r_198_18_1_100_80_198_18_2_13_80, 11 : jump r_198_18_1_100_80_198_18_2_14_80 }
            add element ip lvsbench services { 198.18.1.100 . 80 : jump s_198_18_1_100_80 }
            add element ip lvsbench traffic { 198.18.1.100 . 80 : jump t_198_18_1_100_80 }

            """)
    }

    /// A live change refills only the service's chain: the reals' chains, and so their
    /// connection counts, stay.
    func testNftablesUpdateRefillsOnlyTheServiceChain() {
        let text = NftablesRuleset.update(from: spec([5, 5, 1, 1]), to: spec([5, 5, 1, 1], scheduler: .rr))
        XCTAssertFalse(text.contains("r_198_18_1_100_80_198_18_2_11_80\n"))
        XCTAssertFalse(text.contains("flush chain ip lvsbench r_"))
        XCTAssertTrue(text.hasSuffix("numgen inc mod 4 vmap { 0 : jump r_198_18_1_100_80_198_18_2_11_80, 1 : jump r_198_18_1_100_80_198_18_2_12_80, 2 : jump r_198_18_1_100_80_198_18_2_13_80, 3 : jump r_198_18_1_100_80_198_18_2_14_80 }\n"))
        let quiesced = NftablesRuleset.update(from: spec([5, 5, 1, 1]), to: spec([0, 0, 0, 0]))
        XCTAssertFalse(quiesced.contains("numgen"))
        XCTAssertTrue(quiesced.contains("comment \"real 198.18.2.11:80 weight 0\""))
    }

    func testIptablesRulesForAWeightedService() {
        XCTAssertEqual(IptablesRuleset.install([spec([5, 5, 1, 1])], fresh: true), """
            *nat
            :LVSBENCH-SERVICES - [0:0]
            -A PREROUTING -j LVSBENCH-SERVICES
            :LVRC61201640050C612020B0050 - [0:0]
            -A LVRC61201640050C612020B0050 -p tcp -j DNAT --to-destination 198.18.2.11:80
            :LVRC61201640050C612020C0050 - [0:0]
            -A LVRC61201640050C612020C0050 -p tcp -j DNAT --to-destination 198.18.2.12:80
            :LVRC61201640050C612020D0050 - [0:0]
            -A LVRC61201640050C612020D0050 -p tcp -j DNAT --to-destination 198.18.2.13:80
            :LVRC61201640050C612020E0050 - [0:0]
            -A LVRC61201640050C612020E0050 -p tcp -j DNAT --to-destination 198.18.2.14:80
            :LVSC61201640050 - [0:0]
            -A LVSC61201640050 -m comment --comment "service 198.18.1.100:80 scheduler wrr"
            -A LVSC61201640050 -m comment --comment "real 198.18.2.11:80 weight 5"
            -A LVSC61201640050 -m comment --comment "real 198.18.2.12:80 weight 5"
            -A LVSC61201640050 -m comment --comment "real 198.18.2.13:80 weight 1"
            -A LVSC61201640050 -m comment --comment "real 198.18.2.14:80 weight 1"
            -A LVSC61201640050 -m statistic --mode nth --every 12 --packet 0 -j LVRC61201640050C612020B0050
            -A LVSC61201640050 -m statistic --mode nth --every 11 --packet 0 -j LVRC61201640050C612020B0050
            -A LVSC61201640050 -m statistic --mode nth --every 10 --packet 0 -j LVRC61201640050C612020B0050
            -A LVSC61201640050 -m statistic --mode nth --every 9 --packet 0 -j LVRC61201640050C612020B0050
            -A LVSC61201640050 -m statistic --mode nth --every 8 --packet 0 -j LVRC61201640050C612020B0050
            -A LVSC61201640050 -m statistic --mode nth --every 7 --packet 0 -j LVRC61201640050C612020C0050
            -A LVSC61201640050 -m statistic --mode nth --every 6 --packet 0 -j LVRC61201640050C612020C0050
            -A LVSC61201640050 -m statistic --mode nth --every 5 --packet 0 -j LVRC61201640050C612020C0050
            -A LVSC61201640050 -m statistic --mode nth --every 4 --packet 0 -j LVRC61201640050C612020C0050
            -A LVSC61201640050 -m statistic --mode nth --every 3 --packet 0 -j LVRC61201640050C612020C0050
            -A LVSC61201640050 -m statistic --mode nth --every 2 --packet 0 -j LVRC61201640050C612020D0050
            -A LVSC61201640050 -j LVRC61201640050C612020E0050
            -A LVSBENCH-SERVICES -d 198.18.1.100/32 -p tcp -m tcp --dport 80 -j LVSC61201640050
            COMMIT
            *filter
            :LVSBENCH-TRAFFIC - [0:0]
            -A FORWARD -j LVSBENCH-TRAFFIC
            -A LVSBENCH-TRAFFIC -p tcp -m conntrack --ctorigdst 198.18.1.100/32 --ctorigdstport 80 --ctdir ORIGINAL -m comment --comment "in 198.18.1.100:80"
            -A LVSBENCH-TRAFFIC -p tcp -m conntrack --ctorigdst 198.18.1.100/32 --ctorigdstport 80 --ctdir REPLY -m comment --comment "out 198.18.1.100:80"
            COMMIT

            """)
    }

    /// Across any 24 new connections (two cycles) the nth rules give each real exactly its
    /// weight's share: each rule takes one of every `every` connections that reach it.
    func testIptablesNthRulesGiveExactShares() {
        let s = spec([5, 5, 1, 1])
        let slots = NetfilterPlan.slots(s)
        var counts = Array(repeating: 0, count: slots.count), taken = [Int](repeating: 0, count: 4)
        for _ in 0..<30 { route(slots, &counts, &taken) }
        taken = [0, 0, 0, 0]
        for _ in 0..<24 { route(slots, &counts, &taken) }
        XCTAssertEqual(taken, [10, 10, 2, 2])
    }

    /// xt_statistic's nth: a rule's counter runs 0...every-1 and matches when it wraps.
    func route(_ slots: [Int], _ counts: inout [Int], _ taken: inout [Int]) {
        for i in slots.indices {
            let every = slots.count - i
            if every == 1 { taken[slots[i]] += 1; return }
            let matched = counts[i] == every - 1
            counts[i] = matched ? 0 : counts[i] + 1
            if matched { taken[slots[i]] += 1; return }
        }
    }

    func testIptablesRemoveDeletesExactlyWhatInstallAdded() {
        let text = IptablesRuleset.remove([spec([1, 1])])
        XCTAssertEqual(text, """
            *nat
            -D LVSBENCH-SERVICES -d 198.18.1.100/32 -p tcp -m tcp --dport 80 -j LVSC61201640050
            -F LVSC61201640050
            -F LVRC61201640050C612020B0050
            -F LVRC61201640050C612020C0050
            -X LVSC61201640050
            -X LVRC61201640050C612020B0050
            -X LVRC61201640050C612020C0050
            COMMIT
            *filter
            -D LVSBENCH-TRAFFIC -p tcp -m conntrack --ctorigdst 198.18.1.100/32 --ctorigdstport 80 --ctdir ORIGINAL -m comment --comment "in 198.18.1.100:80"
            -D LVSBENCH-TRAFFIC -p tcp -m conntrack --ctorigdst 198.18.1.100/32 --ctorigdstport 80 --ctdir REPLY -m comment --comment "out 198.18.1.100:80"
            COMMIT

            """)
    }

    func testRefusalsNameWhatWorks() {
        XCTAssertThrowsError(try NetfilterPlan.check(.nftables, nat: false, scheduler: .wrr, persistence: nil)) {
            XCTAssertEqual("\($0)", "nftables balances by DNAT, which needs the replies back through the director: use --mode nat")
        }
        XCTAssertThrowsError(try NetfilterPlan.check(.iptables, nat: true, scheduler: .lc, persistence: nil)) {
            XCTAssertEqual("\($0)", "iptables has no scheduler lc: use --scheduler rr or wrr")
        }
        XCTAssertThrowsError(try NetfilterPlan.check(.nftables, nat: true, scheduler: .rr, persistence: 60))
        XCTAssertNoThrow(try NetfilterPlan.check(.iptables, nat: true, scheduler: .rr, persistence: nil))
    }
}
