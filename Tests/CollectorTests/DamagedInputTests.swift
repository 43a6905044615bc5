import IPVSControl
import SystemKit
import TestSupport
import XCTest
@testable import Collector

/// A truncated or garbled /proc read gives a ProcParseError, never a crash.
final class DamagedInputTests: XCTestCase {
    /// Each parser with the fixture files it reads.
    let parsers: [(name: String, files: [(String, String)], parse: (String) throws -> Void)] = [
        ("snmp", Fixtures.kernels.map { ($0, "proc-net-snmp") }, { _ = try SNMPCounters.parse($0) }),
        ("netstat", Fixtures.kernels.map { ($0, "proc-net-netstat") }, { _ = try SNMPCounters.parse($0) }),
        ("softnet", Fixtures.kernels.map { ($0, "proc-net-softnet_stat") }, { _ = try SoftnetStat.parse($0) }),
        ("stat", Fixtures.kernels.map { ($0, "proc-stat") }, { text in
            let times = try CPUTimes.parse(text)
            _ = ([times.all] + times.perCPU).map(\.total)
        }),
        ("dev", Fixtures.kernels.map { ($0, "proc-net-dev") }, { _ = try InterfaceCounters.parse($0) }),
        ("ip_vs_stats", Fixtures.directors.map { ($0, "proc-net-ip_vs_stats") }, { _ = try IPVSProcStats(parsing: $0) }),
        ("ip_vs", Fixtures.directors.map { ($0, "proc-net-ip_vs") }, { _ = try IPVSProcTable(parsing: $0) }),
        ("ip_vs_conn", Fixtures.directors.map { ($0, "proc-net-ip_vs_conn") }, { _ = try IPVSConnTable(parsing: $0) }),
        ("timeout", [(Fixtures.guest, "ipvsadm-L-timeout")], { _ = try IPVSTimeoutListing.parse($0) }),
    ]

    /// Cuts inside lines, everywhere in every fixture: the parser either returns or throws
    /// ProcParseError (any other error, or a trap, fails the test). The text as a whole and
    /// the empty text must parse resp. fail.
    func testEveryCutGivesAResultOrAProcParseError() throws {
        for p in parsers {
            for (kernel, file) in p.files {
                let text = try Fixtures.text(kernel, file)
                XCTAssertNoThrow(try p.parse(text), "\(p.name) \(kernel)")
                XCTAssertThrowsError(try p.parse(""), p.name) { XCTAssertTrue($0 is ProcParseError, "\(p.name): \($0)") }
                var failures = 0
                let cuts = Fixtures.cuts(text)
                for cut in cuts {
                    do { try p.parse(cut) } catch is ProcParseError { failures += 1 } catch {
                        XCTFail("\(p.name) \(kernel): \(error) is not a ProcParseError")
                    }
                }
                XCTAssertGreaterThan(failures, 0, "\(p.name) \(kernel): no cut was detected among \(cuts.count)")
            }
        }
    }

    /// A cut inside the lines that carry the numbers is detected by every line-pair or
    /// column-count check.
    func testCutsInsideDataLinesAreDetected() throws {
        let cases: [(String, String, String, (String) throws -> Void)] = [
            (Fixtures.guest, "proc-net-snmp", "Tcp: 1 200 120000 -1 ", { _ = try SNMPCounters.parse($0) }),
            (Fixtures.hostRoot, "proc-net-netstat", "TcpExt: ", { _ = try SNMPCounters.parse($0) }),
            (Fixtures.guest, "proc-net-softnet_stat", "000064b8 00000000 000", { _ = try SoftnetStat.parse($0) }),
            (Fixtures.guest, "proc-stat", "cpu0 1528 0", { _ = try CPUTimes.parse($0) }),
            (Fixtures.guest, "proc-net-dev", "    v2:  683507    3087", { _ = try InterfaceCounters.parse($0) }),
            (Fixtures.guest, "proc-net-ip_vs_stats", "       4      540", { _ = try IPVSProcStats(parsing: $0) }),
            (Fixtures.guest, "proc-net-ip_vs", "  -> C6120102:0035      Masq", { _ = try IPVSProcTable(parsing: $0) }),
            (Fixtures.guest, "proc-net-ip_vs_conn", "TCP C612000A CF80 C612000A 0050 C6120102 0050 TIME", { _ = try IPVSConnTable(parsing: $0) }),
            (Fixtures.guest, "ipvsadm-L-timeout", "Timeout (tcp tcpfin udp): 900 120", { _ = try IPVSTimeoutListing.parse($0) }),
        ]
        for (kernel, file, prefixOfLastLine, parse) in cases {
            let text = try Fixtures.text(kernel, file)
            guard let range = text.range(of: "\n" + prefixOfLastLine) ?? text.range(of: prefixOfLastLine) else {
                XCTFail("\(file): '\(prefixOfLastLine)' not in the fixture")
                continue
            }
            let cut = String(text[..<range.upperBound])
            XCTAssertThrowsError(try parse(cut), file) { XCTAssertTrue($0 is ProcParseError, "\(file): \($0)") }
        }
    }

    /// Garbled columns: a letter in a number, a missing column, a column too many.
    func testGarbledColumnsAreDetected() throws {
        let cases: [(String, String, String, String, (String) throws -> Void)] = [
            (Fixtures.guest, "proc-net-snmp", "Ip: 2 64 12808", "Ip: 2 64 12x08", { _ = try SNMPCounters.parse($0) }),
            (Fixtures.guest, "proc-net-snmp", "Ip: 2 64 12808", "Ip: 2 64", { _ = try SNMPCounters.parse($0) }),
            (Fixtures.guest, "proc-net-snmp", "Ip: 2 64 12808", "Ipx: 2 64 12808", { _ = try SNMPCounters.parse($0) }),
            (Fixtures.guest, "proc-net-softnet_stat", "000064b8", "00006zb8", { _ = try SoftnetStat.parse($0) }),
            (Fixtures.guest, "proc-stat", "cpu  1528", "cpu  15q8", { _ = try CPUTimes.parse($0) }),
            (Fixtures.guest, "proc-stat", "cpu  1528", "cpuX 1528", { _ = try CPUTimes.parse($0) }),
            (Fixtures.guest, "proc-net-dev", "v1: 2167837", "v1: 2167837 77", { _ = try InterfaceCounters.parse($0) }),
            (Fixtures.guest, "proc-net-ip_vs_stats", "      36     2CF5", "      36     2CF5 11", { _ = try IPVSProcStats(parsing: $0) }),
            (Fixtures.guest, "proc-net-ip_vs", "C6120106:0050", "C61201:0050", { _ = try IPVSProcTable(parsing: $0) }),
            (Fixtures.guest, "proc-net-ip_vs", "Masq    3      0", "Masq    3      -4", { _ = try IPVSProcTable(parsing: $0) }),
            (Fixtures.guest, "proc-net-ip_vs", "TCP  C612000A:0050 wrr", "XYZ  C612000A:0050 wrr", { _ = try IPVSProcTable(parsing: $0) }),
            (Fixtures.guest, "proc-net-ip_vs_conn", "C6120102 0050 TIME_WAIT", "C6120102 00G0 TIME_WAIT", { _ = try IPVSConnTable(parsing: $0) }),
            (Fixtures.guest, "ipvsadm-L-timeout", "900 120 300", "900 1x0 300", { _ = try IPVSTimeoutListing.parse($0) }),
        ]
        for (kernel, file, original, garbled, parse) in cases {
            let text = try Fixtures.text(kernel, file)
            XCTAssertTrue(text.contains(original), "\(file): '\(original)' not in the fixture")
            let bad = text.replacingOccurrences(of: original, with: garbled)
            XCTAssertThrowsError(try parse(bad), "\(file): \(garbled)") { error in
                XCTAssertTrue(error is ProcParseError, "\(file): \(error)")
                XCTAssertTrue("\(error)".contains("cannot parse"), "\(error)")
            }
        }
    }

    /// The collector's own /proc parsers (the IPVS ones are fuzzed in IPVSControlTests).
    static let fuzzed: Set<String> = ["snmp", "netstat", "softnet", "stat", "dev"]
    static let inputsPerParser = 2500

    /// Mutations of every recorded file (and lines made of its words), beyond the cuts and
    /// garbles above: a result or a ProcParseError, never a trap.
    func testMutatedInputsGiveAResultOrAProcParseError() throws {
        for (index, p) in parsers.enumerated() where Self.fuzzed.contains(p.name) {
            let seeds = try p.files.map { try Fixtures.text($0.0, $0.1) }
            var f = Fuzzer("/proc \(p.name)", defaultSeed: 0x5052_4F43 + UInt64(index))
            let tally = f.fuzzText(seeds, count: Self.inputsPerParser, tokens: [":", "cpu", "Tcp:", "\n"], parse: p.parse,
                                   isTyped: { $0 is ProcParseError })
            print("/proc \(p.name): \(tally)")
            XCTAssertEqual(tally.failures, [], p.name)
            XCTAssertGreaterThan(tally.rejected, Self.inputsPerParser / 20, p.name)
        }
    }

    /// Whole director samples with one section damaged, then the rates and the window
    /// summary between a clean and a damaged one (where a garbled counter would overflow a
    /// sum): errors are listed in the sample, nothing traps.
    func testDamagedSamplesGiveErrorsAndRatesNeverTrap() throws {
        let files: [(String, String)] = [
            ("/proc/net/snmp", "proc-net-snmp"), ("/proc/net/netstat", "proc-net-netstat"),
            ("/proc/net/softnet_stat", "proc-net-softnet_stat"), ("/proc/stat", "proc-stat"), ("/proc/net/dev", "proc-net-dev"),
            ("/proc/sys/net/netfilter/nf_conntrack_count", "proc-sys-net-netfilter-nf_conntrack_count"),
            (IPVSProcStats.source, "proc-net-ip_vs_stats"), (IPVSProcTable.source, "proc-net-ip_vs"),
            (NodeReading.timeoutSection, "ipvsadm-L-timeout"), (NodeReading.statsSection, "ipvsadm-Ln-stats-exact"),
        ]
        var sections: [String: String] = [:]
        for (key, file) in files { sections[key] = try Fixtures.text(Fixtures.guest, file) }
        sections[NodeReading.connSummary] = "entries 2\nstate TIME_WAIT 2\nreal C6120102 0050 2\n"
        let reals: RealCountersParser = { try IPVSStatsListing.realCounters(parsing: $0) }
        let clean = NodeReading.parse(sections: sections, node: "director", role: .director,
                                      realCounters: reals, occasional: true)
        XCTAssertEqual(clean.errors, [])
        var f = Fuzzer("/proc samples", defaultSeed: 0x5341_4D50)
        var withErrors = 0
        for _ in 0..<700 {
            var damaged = sections
            let key = f.pick(Array(sections.keys).sorted())
            damaged[key] = f.mutate(sections[key]!, tokens: [":", "\n"])
            let sample = NodeReading.parse(sections: damaged, node: "director", role: .director,
                                           realCounters: reals, occasional: true)
            if !sample.errors.isEmpty { withErrors += 1 }
            for (a, b) in [(clean, sample), (sample, clean)] {
                _ = CounterRates.deltas(from: a, to: b)
                let series = TimeSeries(interval: 1, samples: [Sample(elapsed: 0, time: Date(), nodes: [a]),
                                                               Sample(elapsed: 1, time: Date(), nodes: [b])])
                let summary = CollectionSummary(series)
                for v in [summary.directorSoftirqPercent, summary.directorBusyPercent].compactMap({ $0 }) {
                    XCTAssertTrue((0...100).contains(v), "\(v)% from a damaged \(key)")
                }
            }
        }
        XCTAssertGreaterThan(withErrors, 100)

        // The batched form one read returns (`grep -H` lines, then marker sections), damaged as a whole.
        var batched = ""
        for (key, text) in sections.sorted(by: { $0.key < $1.key }) where key.hasPrefix("/") {
            batched += text.split(separator: "\n").map { "\(key):\($0)\n" }.joined()
        }
        for (key, text) in sections.sorted(by: { $0.key < $1.key }) where !key.hasPrefix("/") {
            batched += "\(NodeReading.marker) \(key)\n\(text)"
        }
        XCTAssertEqual(NodeReading.parse(batched, node: "director", role: .director, realCounters: reals).errors, [])
        for _ in 0..<500 {
            let sample = NodeReading.parse(f.mutate(batched, tokens: [NodeReading.marker + " ", "/proc/stat:", ":", "\n"]),
                                           node: "director", role: .director, realCounters: reals)
            _ = CounterRates.deltas(from: clean, to: sample)
        }
    }

    func testTickCountsOverflowingTheirSumAreAnError() {
        let text = "cpu  18446744073709551615 1 0 0 0 0 0 0\ncpu0 18446744073709551615 1 0 0 0 0 0 0\n"
        XCTAssertThrowsError(try CPUTimes.parse(text)) { XCTAssertTrue($0 is ProcParseError, "\($0)") }
    }
}
