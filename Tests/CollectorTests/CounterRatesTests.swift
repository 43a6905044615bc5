import IPVSControl
import Lab
import SystemKit
import XCTest
@testable import Collector

final class CounterRatesTests: XCTestCase {
    /// The director's awk program run on the recorded connection table.
    static func connSummary(_ text: String? = nil) throws -> String {
        let file = NSTemporaryDirectory() + "ip_vs_conn-\(getpid())"
        try (text ?? (try Fixtures.text(Fixtures.guest, "proc-net-ip_vs_conn"))).write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return try ProcessRunner.check(["awk", IPVSConnTable.summaryAWK, file]).stdout
    }

    func testConnectionSummaryAgreesWithTheFullTable() throws {
        let full = try IPVSConnTable(parsing: try Fixtures.text(Fixtures.guest, "proc-net-ip_vs_conn"))
        let summary = try Self.connSummary()
        XCTAssertEqual(try IPVSConnTable(parsingSummary: summary), full)
        XCTAssertEqual(try IPVSConnTable(parsingSummary: try Self.connSummary("")).total, 0)
        let lines = summary.split(separator: "\n")
        XCTAssertThrowsError(try IPVSConnTable(parsingSummary: lines.dropLast().joined(separator: "\n")), "a line lost")
        XCTAssertThrowsError(try IPVSConnTable(parsingSummary: lines.dropFirst().joined(separator: "\n")), "no entries line")
        XCTAssertThrowsError(try IPVSConnTable(parsingSummary: summary + "state TIME_WAIT x\n"))
        XCTAssertThrowsError(try IPVSConnTable(parsingSummary: summary + "bogus 1\n"))
    }

    func testDeltaHandlesWrapAndReset() {
        XCTAssertEqual(CounterRates.delta(100, 250), 150)
        XCTAssertEqual(CounterRates.delta(UInt64(UInt32.max) - 9, 5), 15, "32-bit wrap")
        XCTAssertEqual(CounterRates.delta(5_000_000_000, 20), 20, "64-bit counter reset: counted from zero")
        XCTAssertEqual(CounterRates.delta(1000, 20), 20, "small counter reset")
    }

    /// A batch as the node's shell prints it, built from the guest fixtures.
    static func batch(statsFile: String = "proc-net-ip_vs_stats", cpu: String? = nil) throws -> String {
        let m = NodeReading.marker
        var out = "", timeoutSection = ""
        for (section, file) in [("/proc/net/snmp", "proc-net-snmp"), ("/proc/net/netstat", "proc-net-netstat"),
                                ("/proc/net/softnet_stat", "proc-net-softnet_stat"), ("/proc/stat", "proc-stat"),
                                ("/proc/net/dev", "proc-net-dev"),
                                ("/proc/sys/net/netfilter/nf_conntrack_count", "proc-sys-net-netfilter-nf_conntrack_count"),
                                ("/proc/net/ip_vs_stats", statsFile), ("/proc/net/ip_vs", "proc-net-ip_vs"),
                                ("ipvsadm-timeout", "ipvsadm-L-timeout")] {
            var text = try Fixtures.text(Fixtures.guest, file)
            if section == "/proc/stat", let cpu { text = cpu }
            if section.hasPrefix("/") {
                // As `grep -H ''` prints it.
                out += text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "\(section):\($0)\n" }.joined()
            } else {
                timeoutSection = "\(m) \(section)\n\(text)"
            }
        }
        return out + timeoutSection + "\(m) \(NodeReading.connSummary)\n" + (try Self.connSummary())
    }

    func testBatchedOutputParsesIntoANodeSample() throws {
        let s = NodeReading.parse(try Self.batch(), node: "director", role: .director, realCounters: nil)
        XCTAssertEqual(s.errors, [])
        XCTAssertEqual(s.ipvs?.stats.totals.conns, 0x36)
        XCTAssertEqual(s.ipvs?.timeouts, ConnectionTimeouts(tcp: 900, tcpFin: 120, udp: 300))
        XCTAssertEqual(s.ipvs?.connections?.byState["TIME_WAIT"], 63)
        XCTAssertEqual(s.conntrackCount, 0)
        XCTAssertEqual(s.counters["Ip.InReceives"], 12808)
        XCTAssertNotNil(s.counters["TcpExt.ListenDrops"], "netstat merged with snmp")
        XCTAssertEqual(s.interfaces["v1"]?.rxBytes, 2167837)
    }

    func testAGarbledSectionIsReportedAndTheRestKept() throws {
        let text = try Self.batch().replacingOccurrences(of: "Ip: 2 64 12808", with: "Ip: 2 64")
        let s = NodeReading.parse(text, node: "director", role: .director, realCounters: nil)
        XCTAssertEqual(s.errors.count, 1)
        XCTAssertTrue(s.errors[0].contains("/proc/net/snmp"), s.errors[0])
        XCTAssertNil(s.counters["Ip.InReceives"])
        XCTAssertNotNil(s.counters["TcpExt.ListenDrops"])
        XCTAssertNotNil(s.ipvs)
        let missing = NodeReading.parse("", node: "real1", role: .real, realCounters: nil)
        XCTAssertEqual(missing.errors.count, 5, "\(missing.errors)")
    }

    func testRealCountersComeFromTheInjectedParser() throws {
        let listing = "\(NodeReading.marker) ipvsadm-stats\nTCP 1 -> 2 conns 7\n"
        let parser: RealCountersParser = { text in
            XCTAssertTrue(text.contains("conns 7"))
            return [RealReading](keyed: ["TCP 198.18.0.10:80 -> 198.18.1.2:80": BalancerCounters(conns: 7, inPackets: 1, outPackets: 1, inBytes: 1, outBytes: 1)])!
        }
        let s = NodeReading.parse(try Self.batch() + listing, node: "director", role: .director, realCounters: parser)
        XCTAssertEqual(s.ipvs?.reals.keyed["TCP 198.18.0.10:80 -> 198.18.1.2:80"]?.conns, 7)
    }

    /// Per sample the director runs one process (the per-real listing); the connection
    /// states and timeouts come in one more only on occasional samples; other nodes run none
    /// beyond their readFiles.
    func testProcessesPerSample() throws {
        let listing = "\(NodeReading.marker) ipvsadm-stats\nTCP 1 -> 2 conns 7\n"
        let parser: RealCountersParser = { _ in
            [RealReading](keyed: ["TCP 198.18.0.10:80 -> 198.18.1.2:80": BalancerCounters(conns: 7, inPackets: 1, outPackets: 1, inBytes: 1, outBytes: 1)])!
        }
        let director = ScriptedNode(role: .director, sections: NodeReading.sections(try Self.batch() + listing))
        let quick = NodeReading.read(director, realCounters: parser, occasional: false)
        XCTAssertEqual(director.ran, [NodeReading.statsArgv])
        XCTAssertEqual(quick.errors, [])
        XCTAssertEqual(quick.ipvs?.reals.keyed["TCP 198.18.0.10:80 -> 198.18.1.2:80"]?.conns, 7)
        XCTAssertEqual(quick.ipvs?.stats.totals.conns, 0x36)
        XCTAssertNil(quick.ipvs?.connections)
        XCTAssertNil(quick.ipvs?.timeouts)
        XCTAssertNotNil(quick.readSeconds)

        let full = NodeReading.read(director, realCounters: parser, occasional: true)
        XCTAssertEqual(director.ran, [NodeReading.statsArgv, NodeReading.statsArgv, NodeReading.occasionalArgv])
        XCTAssertEqual(full.errors, [])
        XCTAssertEqual(full.ipvs?.connections?.byState["TIME_WAIT"], 63)
        XCTAssertEqual(full.ipvs?.timeouts, ConnectionTimeouts(tcp: 900, tcpFin: 120, udp: 300))

        let real = ScriptedNode(role: .real, sections: NodeReading.sections(try Self.batch()))
        let r = NodeReading.read(real, realCounters: parser, occasional: true)
        XCTAssertEqual(real.ran, [])
        XCTAssertEqual(r.errors, [])
        XCTAssertNil(r.ipvs)
        XCTAssertEqual(real.readPaths, [NodeReading.commonFiles])
    }

    /// Two real guest reads 2 s apart: rates and the summary come from their difference.
    func testRatesAndSummaryFromTwoGuestSamples() throws {
        let cpu1 = "cpu  1000 0 100 800 0 0 100 0 0 0\ncpu0 1000 0 100 800 0 0 100 0 0 0\n"
        let cpu2 = "cpu  1100 0 110 850 0 0 140 0 0 0\ncpu0 1100 0 110 850 0 0 140 0 0 0\n"
        let a = NodeReading.parse(try Self.batch(cpu: cpu1), node: "director", role: .director, realCounters: nil)
        let b = NodeReading.parse(try Self.batch(statsFile: "proc-net-ip_vs_stats.later", cpu: cpu2), node: "director",
                                  role: .director, realCounters: nil)
        let series = TimeSeries(interval: 1, samples: [Sample(elapsed: 0.5, time: Date(), nodes: [a]),
                                                       Sample(elapsed: 2.5, time: Date(), nodes: [b])])
        let rates = series.rates
        XCTAssertEqual(rates.count, 1)
        XCTAssertEqual(rates[0].seconds, 2)
        XCTAssertEqual(rates[0].nodes["director"]?["ipvs.conns"], Double(0x43 - 0x36) / 2)
        XCTAssertEqual(rates[0].nodes["director"]?["ipvs.inPackets"], Double(0x328C - 0x2CF5) / 2)
        XCTAssertEqual(rates[0].nodes["director"]?["cpu.softirq"], 20)
        let summary = CollectionSummary(series)
        XCTAssertEqual(summary.seconds, 2)
        XCTAssertEqual(summary.director?.conns, 0x43 - 0x36)
        XCTAssertEqual(summary.director?.outBytes, 0x28C064 - 0x24537B)
        XCTAssertEqual(summary.directorSoftirqPercent ?? 0, 40.0 * 100 / 200, accuracy: 1e-9)
        XCTAssertEqual(summary.directorBusyPercent ?? 0, 150.0 * 100 / 200, accuracy: 1e-9)
        XCTAssertEqual(summary.realConnEntries["TCP 198.18.0.10:80 -> 198.18.1.2:80"], 42)
    }

    func testJSONLinesRoundTrip() throws {
        let a = NodeReading.parse(try Self.batch(), node: "director", role: .director, realCounters: nil)
        let series = TimeSeries(interval: 0.1, samples: [Sample(elapsed: 0, time: Date(timeIntervalSince1970: 1_800_000_000), nodes: [a])],
                                missedTicks: 2)
        let data = try series.jsonLines()
        XCTAssertEqual(data.split(separator: 0x0A).count, 2)
        XCTAssertEqual(try TimeSeries.readJSONLines(data), series)
    }
}

final class StatsListingTests: XCTestCase {
    func testPerRealCountersFromTheRecordedStatsListing() throws {
        let reals = try IPVSStatsListing.realCounters(parsing: try Fixtures.text(Fixtures.guest, "ipvsadm-Ln-stats-exact")).keyed
        XCTAssertEqual(reals["TCP 198.18.0.10:80 -> 198.18.1.2:80"],
                       BalancerCounters(conns: 39, inPackets: 8571, outPackets: 8493, inBytes: 757056, outBytes: 1773702))
        XCTAssertEqual(reals["TCP 198.18.0.10:80 -> 198.18.1.6:80"]?.conns, 14)
        XCTAssertEqual(reals["UDP 198.18.0.10:53 -> 198.18.1.2:53"]?.conns, 0)
        XCTAssertEqual(reals.count, 5)
    }
}

/// A node that serves recorded sections: files through readFiles, the director's listings
/// through run; it records what it was asked for.
final class ScriptedNode: LabNode, @unchecked Sendable {
    let name: String
    let role: NodeRole
    let sections: [String: String]
    private(set) var ran: [[String]] = []
    private(set) var readPaths: [[String]] = []

    init(role: NodeRole, sections: [String: String]) {
        self.name = role.rawValue
        self.role = role
        self.sections = sections
    }

    func run(_ argv: [String], timeout: Double?) throws -> ProcessResult {
        ran.append(argv)
        let m = NodeReading.marker
        switch argv {
        case NodeReading.statsArgv:
            return ProcessResult(status: 0, stdout: sections[NodeReading.statsSection] ?? "", stderr: "")
        case NodeReading.occasionalArgv:
            let out = "\(m) \(NodeReading.connSummary)\n" + (sections[NodeReading.connSummary] ?? "")
                + "\(m) \(NodeReading.timeoutSection)\n" + (sections[NodeReading.timeoutSection] ?? "")
            return ProcessResult(status: 0, stdout: out, stderr: "")
        default:
            return ProcessResult(status: 127, stdout: "", stderr: "unexpected command")
        }
    }

    func readFile(_ path: String) throws -> String {
        guard let text = sections[path] else { throw RuntimeFailure("\(path): no such file") }
        return text
    }

    func readFiles(_ paths: [String]) throws -> [String: String] {
        readPaths.append(paths)
        return sections.filter { paths.contains($0.key) }
    }

    func wrap(_ argv: [String]) -> [String] { argv }
}
