@testable import Scenarios
import Balancing
import Lab
import Results
import SystemKit
import XCTest

/// The director's three listings in one output, as a UML director printed them.
final class DirectorProbeTests: XCTestCase {
    static let output = """
        IP Virtual Server version 1.2.1 (size=4096)
        Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
          -> RemoteAddress:Port
        TCP  198.18.1.100:80                   120     1200     1100    80000   160000
          -> 198.18.2.11:80                     70      700      640    46000    92000
          -> 198.18.2.12:80                     50      500      460    34000    68000
        TCP  198.18.1.100:9000                   4       40       40     2000     2000
          -> 198.18.2.11:9000                    2       20       20     1000     1000
          -> 198.18.2.12:9000                    2       20       20     1000     1000
        @@lvsbench@@
        IP Virtual Server version 1.2.1 (size=4096)
        Prot LocalAddress:Port Scheduler Flags
          -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
        TCP  198.18.1.100:80 rr
          -> 198.18.2.11:80               Masq    1      10         3
          -> 198.18.2.12:80               Masq    0      7          1
        TCP  198.18.1.100:9000 rr
          -> 198.18.2.11:9000             Masq    1      0          0
          -> 198.18.2.12:9000             Masq    0      0          0
        @@lvsbench@@
        entries 25
        state ESTABLISHED 17
        state TIME_WAIT 8
        real C612020B 0050 13
        real C612020C 0050 12
        """

    func testCountsArePerRealAddressOverBothServices() throws {
        let s = try DirectorProbe.parse(Self.output + "\n", t: 1.5)
        XCTAssertEqual(s.t, 1.5)
        XCTAssertEqual(s.reals["198.18.2.11"], .init(scheduled: 72, active: 10, inactive: 3, tableEntries: 13))
        XCTAssertEqual(s.reals["198.18.2.12"], .init(scheduled: 52, active: 7, inactive: 1, tableEntries: 12))
        XCTAssertEqual(s.gauges["table_entries"], 25)
    }

    /// What a UML director's agent answers for the same moment: the reals with their
    /// counters and entries (netlink), and the table's summary. The sample is the same.
    static func agentReals(entries: Bool = true) -> [RealReading] {
        func real(_ port: Int, _ last: Int, conns: UInt64, _ active: Int, _ inactive: Int) -> RealReading {
            RealReading(proto: "TCP", service: VirtualService(address: "198.18.1.100", port: port), address: "198.18.2.\(last)",
                        port: port, counters: BalancerCounters(conns: conns, inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0),
                        activeEntries: entries ? active : nil, inactiveEntries: entries ? inactive : nil)
        }
        return [real(80, 11, conns: 70, 10, 3), real(80, 12, conns: 50, 7, 1), real(9000, 11, conns: 2, 0, 0), real(9000, 12, conns: 2, 0, 0)]
    }

    static var summary: String { output.components(separatedBy: DirectorProbe.separator + "\n")[2] + "\n" }

    func testTheAgentsReadingGivesTheSameSampleAsTheListings() throws {
        let listed = try DirectorProbe.parse(Self.output + "\n", t: 1.5)
        XCTAssertEqual(try DirectorProbe.sample(reals: Self.agentReals(), connSummary: Self.summary, readsTable: true, t: 1.5), listed)
        let untabled = try DirectorProbe.sample(reals: Self.agentReals(), connSummary: nil, readsTable: false, t: 2)
        XCTAssertEqual(untabled.reals["198.18.2.12"], .init(scheduled: 52, active: 7, inactive: 1))
        XCTAssertEqual(untabled.gauges, [:])
    }

    func testAnAgentReadingWithoutEntriesOrTableIsAnError() {
        XCTAssertThrowsError(try DirectorProbe.sample(reals: Self.agentReals(entries: false), connSummary: nil, readsTable: false, t: 0))
        XCTAssertThrowsError(try DirectorProbe.sample(reals: Self.agentReals(), connSummary: nil, readsTable: true, t: 0))
    }

    func testACutOutputIsAnError() {
        XCTAssertThrowsError(try DirectorProbe.parse("IP Virtual Server version 1.2.1\n", t: 0))
    }

    func testTheTableIsReadOnlyWhenAsked() {
        let without = DirectorProbe(director: FakeNode(), readsTable: false).command.joined(separator: " ")
        let with = DirectorProbe(director: FakeNode(), readsTable: true).command.joined(separator: " ")
        XCTAssertFalse(without.contains("ip_vs_conn"))
        XCTAssertTrue(with.contains("/proc/net/ip_vs_conn"))
    }
}

/// The wire count's parsing and its sanity check against the client's view.
final class WireSynCounterTests: XCTestCase {
    func testSynsAreAttributedByDestinationMAC() {
        let text = """
            tcpdump: listening on t-in, link-type EN10MB (Ethernet), snapshot length 262144 bytes
            1733240000.100000 02:00:00:00:00:01 > 02:00:00:00:00:0b, ethertype IPv4 (0x0800), length 74: 198.18.0.2.40000 > 198.18.2.11.80: Flags [S]
            1733240000.200000 02:00:00:00:00:01 > 02:00:00:00:00:0C, ethertype IPv4 (0x0800), length 94: 198.18.2.2 > 198.18.2.12: 198.18.0.2.40002 > 198.18.2.100.80: Flags [S]
            1733240000.300000 02:00:00:00:00:01 > 02:00:00:00:00:99, ethertype IPv4 (0x0800), length 74: elsewhere
            """
        let syns = WireSynCounter.parse(text, macs: ["02:00:00:00:00:0b": 1, "02:00:00:00:00:0c": 2])
        XCTAssertEqual(syns[1], [.init(t: 1733240000.1, repeated: false)])
        XCTAssertEqual(syns[2], [.init(t: 1733240000.2, repeated: false)], "upper-case MACs match too")
        XCTAssertNil(syns[3])
    }

    /// A client port seen before by the same real (plain or inside IPIP) is a repeat; the same
    /// port sent to another real, or another port, is a new scheduling.
    func testASynThatRepeatsAClientPortToTheSameRealIsMarked() {
        let text = """
            1.0 02:00:00:00:00:01 > 02:00:00:00:00:0b, ethertype IPv4 (0x0800), length 74: 198.18.0.2.40000 > 198.18.2.100.80: Flags [S], seq 1
            2.0 02:00:00:00:00:01 > 02:00:00:00:00:0c, ethertype IPv4 (0x0800), length 94: 198.18.2.2 > 198.18.2.12: 198.18.0.2.40002 > 198.18.2.100.80: Flags [S], seq 2
            3.0 02:00:00:00:00:01 > 02:00:00:00:00:0c, ethertype IPv4 (0x0800), length 94: 198.18.2.2 > 198.18.2.12: 198.18.0.2.40002 > 198.18.2.100.80: Flags [S], seq 3
            4.0 02:00:00:00:00:01 > 02:00:00:00:00:0c, ethertype IPv4 (0x0800), length 74: 198.18.0.2.40000 > 198.18.2.100.80: Flags [S], seq 4
            5.0 02:00:00:00:00:01 > 02:00:00:00:00:0b, ethertype IPv4 (0x0800), length 74: 198.18.0.2.40000 > 198.18.2.100.80: Flags [S], seq 5
            6.0 02:00:00:00:00:01 > 02:00:00:00:00:0b, ethertype IPv4 (0x0800), length 74: 198.18.0.3.40000 > 198.18.2.100.80: Flags [S], seq 6
            """
        let syns = WireSynCounter.parse(text, macs: ["02:00:00:00:00:0b": 1, "02:00:00:00:00:0c": 2])
        XCTAssertEqual(syns[1]?.map(\.repeated), [false, true, false], "40000 again to real1; another client's 40000 is new")
        XCTAssertEqual(syns[2]?.map(\.repeated), [false, true, false], "40002 again inside IPIP; 40000 is new to real2")
        let tabled = WireSynCounter.parse(text, macs: ["02:00:00:00:00:0c": 2], tabled: ["2 198.18.0.2.40002"])
        XCTAssertEqual(tabled[2]?.map(\.repeated), [true, true, false], "an entry in the table before counting began")
        XCTAssertEqual(WireSynCounter.client(in: "1.0 a > b, length 74: 198.18.0.2.40000 > 198.18.2.100.80: Flags [S]"),
                       "198.18.0.2.40000")
        XCTAssertNil(WireSynCounter.client(in: "1.0 a > b, length 74: something else"))
    }

    func testTheFilterLooksInsideIPIPAtTheInnerTCPFlags() {
        XCTAssertTrue(WireSynCounter.filter.contains("ip proto 4 and ip[53] & 0x12 == 0x02"), WireSynCounter.filter)
        XCTAssertTrue(WireSynCounter.filter.contains("not src net 198.18.2.0/24"), "the director's own health checks are left out")
    }

    func testACountThatMissedARealThatAnsweredIsNotTrusted() {
        XCTAssertFalse(WireSynCounter.trusted([], answeredBefore: 120, fault: 4))
        XCTAssertFalse(WireSynCounter.trusted([4.5], answeredBefore: 120, fault: 4))
        XCTAssertTrue(WireSynCounter.trusted([1.0, 4.5], answeredBefore: 120, fault: 4))
        XCTAssertTrue(WireSynCounter.trusted([], answeredBefore: 0, fault: 4), "a real that never answered may have had no SYN")
    }
}

/// A director that is never called: the probe's command is built without running it.
struct FakeNode: LabNode {
    let name = "director"
    let role = NodeRole.director
    func run(_ argv: [String], timeout: Double?) throws -> ProcessResult { throw RuntimeFailure("not a real node") }
    func readFile(_ path: String) throws -> String { throw RuntimeFailure("not a real node") }
    func wrap(_ argv: [String]) -> [String] { argv }
}
