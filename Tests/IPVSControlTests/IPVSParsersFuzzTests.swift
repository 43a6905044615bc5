import Foundation
import IPVSControl
import SystemKit
import TestSupport
import XCTest

/// Every parser of ipvsadm output and of the IPVS /proc files, fed mutations of recorded
/// text (Tests/CollectorTests/Fixtures, and this target's own listings) and lines made of
/// their words: each returns sane values or throws ProcParseError; none traps.
final class IPVSParsersFuzzTests: XCTestCase {
    static let inputsPerParser = 2500

    static func fixture(_ node: String, _ name: String) throws -> String {
        let url = BuiltBinary.packageRoot.appendingPathComponent("Tests/CollectorTests/Fixtures/\(node)/\(name)")
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func fixtures(_ name: String) throws -> [String] {
        try ["guest-6.1-director", "guest-6.1-lab-dr", "guest-6.1-lab-tun"].compactMap { node in
            let path = BuiltBinary.packageRoot.appendingPathComponent("Tests/CollectorTests/Fixtures/\(node)/\(name)").path
            return FileManager.default.fileExists(atPath: path) ? try fixture(node, name) : nil
        }
    }

    /// The `awk summaryAWK` form of a recorded connection table.
    static func summary(of table: String) -> String {
        var states: [String: Int] = [:], reals: [String: Int] = [:]
        var entries = 0
        for line in table.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ")
            guard f.count >= 9 else { continue }
            entries += 1
            states[String(f[7]), default: 0] += 1
            reals["\(f[5]) \(f[6])", default: 0] += 1
        }
        return (["entries \(entries)"] + states.map { "state \($0.key) \($0.value)" }
            + reals.map { "real \($0.key) \($0.value)" }).joined(separator: "\n") + "\n"
    }

    static func inRange(_ c: BalancerCounters) -> Bool {
        [c.conns, c.inPackets, c.outPackets, c.inBytes, c.outBytes].allSatisfy { $0 <= BalancerCounters.maximum }
    }

    func run(_ name: String, seed: UInt64, _ seeds: [String], parse: (String) throws -> Void) {
        XCTAssertFalse(seeds.isEmpty, name)
        for text in seeds { XCTAssertNoThrow(try parse(text), "\(name): a recorded text does not parse") }
        var f = Fuzzer(name, defaultSeed: seed)
        let tally = f.fuzzText(seeds, count: Self.inputsPerParser, tokens: ["->", ":", "TCP ", "\n"], parse: parse,
                               isTyped: { $0 is ProcParseError })
        print("\(name): \(tally)")
        XCTAssertEqual(tally.failures, [], name)
        XCTAssertGreaterThan(tally.rejected, Self.inputsPerParser / 20, "\(name): the mutations should break some inputs")
    }

    func testIpvsadmListing() throws {
        let seeds = try Self.fixtures("ipvsadm-Ln") + [IPVSListingTests.natListing]
        run("ipvsadm -Ln", seed: 1, seeds) { text in
            for s in try IPVSListing.parse(text).services {
                XCTAssertTrue((0...65535).contains(s.service.port), "port \(s.service.port)")
                for r in s.reals {
                    XCTAssertTrue((0...65535).contains(r.port) && r.weight >= 0 && r.activeConnections >= 0
                                  && r.inactiveConnections >= 0, "\(r) from \(fuzzExcerpt(text))")
                }
            }
        }
    }

    func testIpvsadmStatsListing() throws {
        let seeds = try Self.fixtures("ipvsadm-Ln-stats-exact") + [IPVSListingTests.mixedStats]
        run("ipvsadm -Ln --stats --exact", seed: 2, seeds) { text in
            for s in try IPVSStatsListing.parse(text).services {
                XCTAssertTrue((0...65535).contains(s.service.port) && s.reals.allSatisfy { (0...65535).contains($0.port) })
                for c in [s.counters] + s.reals.map(\.counters) { XCTAssertTrue(Self.inRange(c), "\(c)") }
            }
            _ = try IPVSStatsListing.realCounters(parsing: text)
        }
    }

    func testIpvsadmTimeouts() throws {
        run("ipvsadm -L --timeout", seed: 3, try Self.fixtures("ipvsadm-L-timeout")) { text in
            let t = try IPVSTimeoutListing.parse(text)
            XCTAssertTrue(t.tcp >= 0 && t.tcpFin >= 0 && t.udp >= 0, "\(t) from \(fuzzExcerpt(text))")
        }
    }

    func testProcIpvsStats() throws {
        run(IPVSProcStats.source, seed: 4, try Self.fixtures("proc-net-ip_vs_stats")) { text in
            let stats = try IPVSProcStats(parsing: text)
            XCTAssertTrue(Self.inRange(stats.totals) && Self.inRange(stats.rates), "\(stats)")
        }
    }

    func testProcIpvsTable() throws {
        run(IPVSProcTable.source, seed: 5, try Self.fixtures("proc-net-ip_vs")) { text in
            for s in try IPVSProcTable(parsing: text).services {
                for r in s.reals {
                    XCTAssertTrue([r.weight, r.activeConns, r.inactiveConns].allSatisfy { (0...Int(Int32.max)).contains($0) },
                                  "\(r) from \(fuzzExcerpt(text))")
                }
            }
        }
    }

    func testProcIpvsConnTable() throws {
        run(IPVSConnTable.source, seed: 6, try Self.fixtures("proc-net-ip_vs_conn")) { text in
            let t = try IPVSConnTable(parsing: text)
            XCTAssertEqual(t.byState.values.reduce(0, +), t.byReal.values.reduce(0, +))
        }
    }

    func testProcIpvsConnSummary() throws {
        let seeds = try Self.fixtures("proc-net-ip_vs_conn").map(Self.summary(of:))
        run("ip_vs_conn summary", seed: 7, seeds) { text in
            let t = try IPVSConnTable(parsingSummary: text)
            XCTAssertEqual(t.total, t.byReal.values.reduce(0, +), fuzzExcerpt(text))
            XCTAssertTrue(t.byState.values.allSatisfy { $0 >= 0 })
        }
    }

    /// Values the fuzzers showed could pass or trap: each is now a ProcParseError.
    func testOutOfRangeValuesAreErrors() {
        let cases: [(String, () throws -> Void)] = [
            ("summary counts overflowing Int", {
                _ = try IPVSConnTable(parsingSummary: "entries 1\nstate A 9223372036854775807\nstate B 1\n"
                                      + "real C6120102 0050 9223372036854775807\nreal C6120106 0050 1\n")
            }),
            ("IPVS total beyond 2^63", {
                _ = try IPVSProcStats(parsing: "Conns\n 1 8000000000000000 1 1 1\n 0 0 0 0 0\n")
            }),
            ("real counter beyond 2^63", {
                _ = try IPVSStatsListing.parse("TCP  198.18.0.10:80 1 2 3 4 5\n  -> 198.18.1.2:80 1 18446744073709551615 0 0 0\n")
            }),
            ("connection count beyond 32 bits", {
                _ = try IPVSProcTable(parsing: "IP Virtual Server version 1.2.1 (size=4096)\nTCP  C612000A:0050 wrr\n"
                                      + "  -> C6120102:0050 Masq 1 9223372036854775807 9223372036854775807\n")
            }),
            ("negative timeout", { _ = try IPVSTimeoutListing.parse("Timeout (tcp tcpfin udp): 900 -1 300") }),
            ("port beyond 65535", { _ = try IPVSListing.parse("TCP  198.18.0.10:99999 wrr\n") }),
            ("negative port", { _ = try IPVSStatsListing.parse("TCP  198.18.0.10:-80 1 2 3 4 5\n") }),
            ("negative weight", {
                _ = try IPVSListing.parse("TCP  198.18.0.10:80 wrr\n  -> 198.18.1.2:80 Masq -3 0 0\n")
            }),
        ]
        for (name, parse) in cases {
            XCTAssertThrowsError(try parse(), name) { XCTAssertTrue($0 is ProcParseError, "\(name): \($0)") }
        }
    }
}
