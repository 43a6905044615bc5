import Balancing
import ProxyBalancing
import SystemKit
import Vocabulary
import XCTest

final class HAProxyConfigTests: XCTestCase {
    let vip = VirtualService(address: "198.18.1.100", port: 80)

    func spec(_ scheduler: Scheduler, weights: [Int], persistence: Int? = nil) -> ServiceSpec {
        ServiceSpec(service: vip, scheduler: scheduler, persistence: persistence,
                    reals: weights.enumerated().map { RealSpec(address: "198.18.2.\(11 + $0.offset)", port: 80, forwarding: .nat, weight: $0.element) })
    }

    func testWeightedRoundRobinServiceRendersExactly() {
        let text = HAProxyConfig(services: [spec(.wrr, weights: [5, 5, 1, 1])]).render()
        XCTAssertEqual(text, """
            global
                stats socket ipv4@127.0.0.1:19998 level user

            defaults
                mode tcp
                timeout connect 5s
                timeout client 900s
                timeout server 900s
                timeout client-fin 120s
                timeout server-fin 120s

            frontend fe-198.18.1.100-80
                bind 198.18.1.100:80
                default_backend be-198.18.1.100-80

            backend be-198.18.1.100-80
                balance roundrobin
                server s-198.18.2.11-80 198.18.2.11:80 weight 5
                server s-198.18.2.12-80 198.18.2.12:80 weight 5
                server s-198.18.2.13-80 198.18.2.13:80 weight 1
                server s-198.18.2.14-80 198.18.2.14:80 weight 1

            """)
    }

    func testLeastConnectionSchedulersAndTimeoutsMap() {
        let text = HAProxyConfig(services: [spec(.wlc, weights: [2, 0])],
                                 timeouts: ConnectionTimeouts(tcp: 60, tcpFin: 10, udp: 300)).render()
        XCTAssertTrue(text.contains("    balance leastconn\n"))
        XCTAssertTrue(text.contains("server s-198.18.2.12-80 198.18.2.12:80 weight 0\n"))
        XCTAssertTrue(text.contains("    timeout client 60s\n    timeout server 60s\n    timeout client-fin 10s\n"))
        XCTAssertTrue(HAProxyConfig(services: [spec(.lc, weights: [1])]).render().contains("balance leastconn"))
        XCTAssertTrue(HAProxyConfig(services: [spec(.rr, weights: [1])]).render().contains("balance roundrobin"))
    }

    /// IPVS's rr and lc give every live real an equal share whatever its weight; HAProxy
    /// honours weights under every algorithm, so rr and lc run every live real at weight 1.
    func testUnweightedSchedulersRunEveryLiveRealAtOne() {
        for scheduler in [Scheduler.rr, .lc] {
            let text = HAProxyConfig(services: [spec(scheduler, weights: [5, 5, 1, 0])]).render()
            XCTAssertEqual(text.components(separatedBy: " weight 1\n").count - 1, 3, text)
            XCTAssertTrue(text.contains("198.18.2.14:80 weight 0\n"), text)
            XCTAssertFalse(text.contains("weight 5"), text)
        }
        XCTAssertTrue(HAProxyConfig(services: [spec(.wrr, weights: [5, 1])]).render().contains("198.18.2.11:80 weight 5\n"))
        XCTAssertEqual(HAProxyConfig.effectiveWeight(7, scheduler: .wlc), 7)
        XCTAssertEqual(HAProxyConfig.effectiveWeight(7, scheduler: .rr), 1)
        XCTAssertEqual(HAProxyConfig.effectiveWeight(0, scheduler: .lc), 0)
    }

    func testRefusesWhatHAProxyCannotDo() {
        for scheduler in Scheduler.allCases where !HAProxyConfig.schedulers.contains(scheduler) {
            XCTAssertThrowsError(try HAProxyConfig.check(spec(scheduler, weights: [1]))) { error in
                XCTAssertEqual("\(error)", "balancer haproxy has no scheduler \(scheduler.rawValue): use one of rr, wrr, lc, wlc, or --balancer ipvs")
                XCTAssertTrue(error is InvalidInput)
            }
        }
        XCTAssertThrowsError(try HAProxyConfig.check(spec(.wrr, weights: [1], persistence: 300))) { error in
            XCTAssertEqual("\(error)", "balancer haproxy does not do persistence: drop --persistence, or use --balancer ipvs")
        }
        XCTAssertThrowsError(try HAProxyConfig.check(spec(.wrr, weights: [1, 257]))) { error in
            XCTAssertEqual("\(error)", "weight 257 of 198.18.2.12:80 is out of range: HAProxy weights are 0 to 256")
        }
        XCTAssertNoThrow(try HAProxyConfig.check(spec(.wlc, weights: [0, 256])))
    }
}
