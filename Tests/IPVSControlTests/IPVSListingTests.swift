import IPVSControl
import XCTest
import Vocabulary

/// Parsers fed with output recorded from the lab's UML director (kernel 6.1, ipvsadm 1.31).
final class IPVSListingTests: XCTestCase {
    // `ipvsadm -Ln --stats --exact` in a mixed lab: real1 nat, real2 dr, real3 tun.
    static let mixedStats = """
    IP Virtual Server version 1.2.1 (size=4096)
    Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
      -> RemoteAddress:Port
    TCP  198.18.1.100:80                    31      186       40    12276     4040
      -> 198.18.2.11:80                     10       60       40     3960     4040
      -> 198.18.2.12:80                     10       60        0     3960        0
      -> 198.18.2.13:80                     11       66        0     4356        0
    TCP  198.18.1.100:9000                  20      160       36    14480     3072
      -> 198.18.2.11:9000                    6       48       36     4344     3072
      -> 198.18.2.12:9000                    7       56        0     5068        0
      -> 198.18.2.13:9000                    7       56        0     5068        0

    """

    // `ipvsadm -Ln` in a nat lab after 21 requests.
    static let natListing = """
    IP Virtual Server version 1.2.1 (size=4096)
    Prot LocalAddress:Port Scheduler Flags
      -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
    TCP  198.18.1.100:80 wrr
      -> 198.18.2.11:80               Masq    1      0          11        
      -> 198.18.2.12:80               Masq    1      0          11        
    TCP  198.18.1.100:9000 wrr
      -> 198.18.2.11:9000             Masq    1      0          0         
      -> 198.18.2.12:9000             Masq    1      0          0         

    """

    func testStatsListing() throws {
        let s = try IPVSStatsListing.parse(Self.mixedStats)
        XCTAssertEqual(s.services.count, 2)
        let http = try XCTUnwrap(s.service(VirtualService(address: "198.18.1.100", port: 80)))
        XCTAssertEqual(http.counters, BalancerCounters(conns: 31, inPackets: 186, outPackets: 40, inBytes: 12276, outBytes: 4040))
        XCTAssertEqual(http.reals.map(\.address), ["198.18.2.11", "198.18.2.12", "198.18.2.13"])
        XCTAssertEqual(http.reals[2].counters.conns, 11)
        XCTAssertEqual(s.services[1].reals[0].port, 9000)
        XCTAssertEqual(s.services[1].reals[0].counters.outBytes, 3072)
    }

    func testStatsListingRejectsUnexactNumbers() {
        let text = """
        TCP  198.18.1.100:80                    31      186       40    12K     4040
        """
        XCTAssertThrowsError(try IPVSStatsListing.parse(text))
    }

    func testListing() throws {
        let l = try IPVSListing.parse(Self.natListing)
        XCTAssertEqual(l.services.map(\.scheduler), ["wrr", "wrr"])
        let r = l.services[0].reals[1]
        XCTAssertEqual(r.address, "198.18.2.12")
        XCTAssertEqual(r.forwarding, .nat)
        XCTAssertEqual(r.weight, 1)
        XCTAssertEqual(r.activeConnections, 0)
        XCTAssertEqual(r.inactiveConnections, 11)
    }

    func testListingFlagsAndForwardNames() throws {
        let text = """
        TCP  198.18.2.100:80 wlc persistent 60
          -> 198.18.2.11:80               Route   5      3          1
          -> 198.18.2.12:80               Tunnel  0      0          7
        """
        let l = try IPVSListing.parse(text)
        XCTAssertEqual(l.services[0].flags, "persistent 60")
        XCTAssertEqual(l.services[0].reals.map(\.forwarding), [.dr, .tun])
        XCTAssertEqual(l.services[0].reals.map(\.weight), [5, 0])
    }

    func testEmptyTable() throws {
        XCTAssertEqual(try IPVSListing.parse("IP Virtual Server version 1.2.1 (size=4096)\n").services, [])
    }
}
