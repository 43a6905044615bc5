import IPVSControl
import SystemKit
import XCTest
@testable import Collector

/// The /proc parsers on recorded text from the host (6.18) and the UML guest (6.1).
final class ProcParsersTests: XCTestCase {
    func testSNMPAndNetstatOnBothKernels() throws {
        for kernel in Fixtures.kernels {
            let snmp = try SNMPCounters.parse(try Fixtures.text(kernel, "proc-net-snmp"))
            let netstat = try SNMPCounters.parse(try Fixtures.text(kernel, "proc-net-netstat"), source: "/proc/net/netstat")
            for key in ["Tcp.ActiveOpens", "Tcp.PassiveOpens", "Tcp.RetransSegs", "Ip.InReceives", "Udp.InDatagrams"] {
                XCTAssertNotNil(snmp[key], "\(kernel): \(key)")
            }
            for key in ["TcpExt.ListenOverflows", "TcpExt.ListenDrops", "TcpExt.TCPTimeWaitOverflow", "IpExt.InOctets"] {
                XCTAssertNotNil(netstat[key], "\(kernel): \(key)")
            }
            XCTAssertEqual(snmp["Tcp.MaxConn"], -1, kernel)
        }
        let guest = try SNMPCounters.parse(try Fixtures.text(Fixtures.guest, "proc-net-snmp"))
        XCTAssertEqual(guest["Ip.InReceives"], 12808)
        XCTAssertEqual(guest["Ip.Forwarding"], 2)
    }

    func testSoftnetStatColumnsDifferBetweenKernels() throws {
        let guest = try SoftnetStat.parse(try Fixtures.text(Fixtures.guest, "proc-net-softnet_stat"))
        XCTAssertEqual(guest, [SoftnetStat(processed: 0x64b8, dropped: 0, timeSqueeze: 0)])
        let host = try SoftnetStat.parse(try Fixtures.text(Fixtures.hostRoot, "proc-net-softnet_stat"))
        XCTAssertEqual(host.count, ProcessInfo.processInfo.processorCount)
    }

    func testCPUTimes() throws {
        let guest = try CPUTimes.parse(try Fixtures.text(Fixtures.guest, "proc-stat"))
        XCTAssertEqual(guest.all, CPUTimes(user: 1528, system: 42))
        XCTAssertEqual(guest.perCPU.count, 1)
        let host = try CPUTimes.parse(try Fixtures.text(Fixtures.hostRoot, "proc-stat"))
        XCTAssertEqual(host.perCPU.count, 2)
        // The aggregate is converted to ticks separately from the per-CPU lines: off by rounding.
        XCTAssertEqual(Double(host.all.softirq), Double(host.perCPU.map(\.softirq).reduce(0, +)), accuracy: 2)
    }

    func testInterfaceCounters() throws {
        let guest = try InterfaceCounters.parse(try Fixtures.text(Fixtures.guest, "proc-net-dev"))
        XCTAssertEqual(Set(guest.keys), ["lo", "v1", "v2"])
        XCTAssertEqual(guest["v1"]?.rxBytes, 2167837)
        XCTAssertEqual(guest["v1"]?.txPackets, 9834)
        let netns = try InterfaceCounters.parse(try Fixtures.text(Fixtures.hostNetns, "proc-net-dev"))
        XCTAssertEqual(Set(netns.keys), ["lo"])
        XCTAssertGreaterThan(netns["lo"]?.rxPackets ?? 0, 0)
    }

    func testIPVSStats() throws {
        let stats = try IPVSProcStats(parsing: try Fixtures.text(Fixtures.guest, "proc-net-ip_vs_stats"))
        XCTAssertEqual(stats.totals, .init(conns: 0x36, inPackets: 0x2CF5, outPackets: 0x2C8B,
                                           inBytes: 0xF823C, outBytes: 0x24537B))
        XCTAssertEqual(stats.rates.inPackets, 0x540)
    }

    func testIPVSTableDecodesHexAddresses() throws {
        let table = try IPVSProcTable(parsing: try Fixtures.text(Fixtures.guest, "proc-net-ip_vs"))
        XCTAssertEqual(table.services.map(\.key), ["TCP 198.18.0.10:80", "UDP 198.18.0.10:53", "TCP 198.18.0.10:9000"])
        let http = table.services[0]
        XCTAssertEqual(http.scheduler, "wrr")
        XCTAssertEqual(http.reals.map(\.address), ["198.18.1.6:80", "198.18.1.2:80"])
        XCTAssertEqual(http.reals.map(\.weight), [1, 3])
        XCTAssertEqual(http.reals.map(\.inactiveConns), [14, 42])
        XCTAssertEqual(http.reals.map(\.forward), ["Masq", "Masq"])
    }

    func testIPVSConnectionsByState() throws {
        let conns = try IPVSConnTable(parsing: try Fixtures.text(Fixtures.guest, "proc-net-ip_vs_conn"))
        XCTAssertEqual(conns.byState, ["TIME_WAIT": 63, "CLOSE": 4])
        XCTAssertEqual(conns.total, 67)
        XCTAssertEqual(conns.byReal.values.reduce(0, +), 67)
        XCTAssertEqual(Set(conns.byReal.keys), ["198.18.1.2:80", "198.18.1.6:80", "198.18.1.2:9000", "198.18.1.6:9000"])
    }

    /// Recorded from the lab's UML director in dr and tun after 30 requests (weights 3:1):
    /// the director sees no reply, so OutPkts stays 0.
    func testDirectRoutingAndTunnelTables() throws {
        for (mode, forward) in [("dr", "Route"), ("tun", "Tunnel")] {
            let dir = "guest-6.1-lab-\(mode)"
            let table = try IPVSProcTable(parsing: try Fixtures.text(dir, "proc-net-ip_vs"))
            let http = try XCTUnwrap(table.services.first { $0.key == "TCP 198.18.2.100:80" }, mode)
            XCTAssertEqual(Set(http.reals.map(\.forward)), [forward])
            let stats = try IPVSProcStats(parsing: try Fixtures.text(dir, "proc-net-ip_vs_stats"))
            XCTAssertEqual(stats.totals.outPackets, 0, mode)
            XCTAssertGreaterThan(stats.totals.inPackets, 100, mode)
            let conns = try IPVSConnTable(parsing: try Fixtures.text(dir, "proc-net-ip_vs_conn"))
            XCTAssertEqual(Set(conns.byState.keys), ["FIN_WAIT"], mode)
            // Every entry is counted once as ActiveConn or InActConn of its real.
            let gauges = table.services.flatMap(\.reals).map { $0.activeConns + $0.inactiveConns }.reduce(0, +)
            XCTAssertEqual(gauges, conns.total, mode)
            XCTAssertGreaterThanOrEqual(conns.total, 30, mode)
            let reals = try IPVSStatsListing.realCounters(parsing: try Fixtures.text(dir, "ipvsadm-Ln-stats-exact")).keyed
            XCTAssertEqual(reals["TCP 198.18.2.100:80 -> 198.18.2.11:80"]?.outPackets, 0, mode)
        }
    }

    func testTimeouts() throws {
        let t = try IPVSTimeoutListing.parse(try Fixtures.text(Fixtures.guest, "ipvsadm-L-timeout"))
        XCTAssertEqual(t, ConnectionTimeouts(tcp: 900, tcpFin: 120, udp: 300))
    }

    func testEmptyIPVSTablesParse() throws {
        let table = try IPVSProcTable(parsing: """
            IP Virtual Server version 1.2.1 (size=4096)
            Prot LocalAddress:Port Scheduler Flags
              -> RemoteAddress:Port Forward Weight ActiveConn InActConn

            """)
        XCTAssertEqual(table.services, [])
        let fwm = try IPVSProcTable(parsing: "IP Virtual Server version 1.2.1 (size=4096)\nFWM  00000001 rr persistent 360\n")
        XCTAssertEqual(fwm.services.first?.address, "1")
        XCTAssertEqual(fwm.services.first?.flags, "persistent 360")
        XCTAssertEqual(try IPVSConnTable(parsing: "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n").total, 0)
    }

    func testConnTableEntriesNameClientPortAndReal() throws {
        let text = """
            Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
            TCP C6120002 C164 C6120264 0050 C612020B 0050 FIN_WAIT        117
            TCP 20010DB8000000000000000000000001 C076 20010DB8000000000000000000000064 0050 20010DB800000000000000000000000B 0050 FIN_WAIT 117
            """
        XCTAssertEqual(try IPVSConnTable.entries(parsing: text),
                       [.init(client: "198.18.0.2", clientPort: 0xC164, real: "198.18.2.11")], "IPv6 entries are left out")
        XCTAssertThrowsError(try IPVSConnTable.entries(parsing: "TCP C6120002 C164"))
        XCTAssertThrowsError(try IPVSConnTable.entries(parsing: text.replacingOccurrences(of: "C164", with: "ZZ")))
    }

    func testLiveHostFiles() throws {
        let read = { (path: String) in try String(contentsOfFile: path, encoding: .utf8) }
        XCTAssertFalse(try SNMPCounters.parse(try read("/proc/net/snmp")).isEmpty)
        XCTAssertNotNil(try SNMPCounters.parse(try read("/proc/net/netstat"))["TcpExt.ListenDrops"])
        XCTAssertEqual(try SoftnetStat.parse(try read("/proc/net/softnet_stat")).count, ProcessInfo.processInfo.processorCount)
        XCTAssertGreaterThan(try CPUTimes.parse(try read("/proc/stat")).all.total, 0)
        XCTAssertNotNil(try InterfaceCounters.parse(try read("/proc/net/dev"))["lo"])
    }
}
