import Balancing
import NetfilterBalancing
import SystemKit
import Vocabulary
import XCTest

/// The balancers against a stand-in director: what they load, in how many commands, and
/// what they read back, without a lab.
final class NetfilterBalancerTests: XCTestCase {
    /// Keeps the files the balancer writes and answers listings from `listing`.
    final class Director: CommandRunning, @unchecked Sendable {
        var files: [String: String] = [:]
        var loaded: [String] = []
        var commands: [[String]] = []
        var listing: String?

        func run(_ argv: [String], timeout: Double?) throws -> ProcessResult {
            commands.append(argv)
            switch argv.first {
            case "mktemp": return ProcessResult(status: 0, stdout: "/tmp/lvsbench-ruleset.abc\n", stderr: "")
            case "sh":
                files[argv[3], default: ""] += argv[4]
                return ProcessResult(status: 0, stdout: "", stderr: "")
            case "nft" where argv[1] == "-f", "iptables-legacy-restore":
                loaded.append(files[argv.last!] ?? "")
                return ProcessResult(status: 0, stdout: "", stderr: "")
            case "nft", "iptables-legacy-save":
                guard let listing else { return ProcessResult(status: 1, stdout: "", stderr: "Error: No such file or directory\n") }
                return ProcessResult(status: 0, stdout: listing, stderr: "")
            case "rm":
                files[argv.last!] = nil
                return ProcessResult(status: 0, stdout: "", stderr: "")
            case "sysctl": return ProcessResult(status: 0, stdout: argv[1] == "-n" ? "432000\n120\n180\n" : "", stderr: "")
            default: return ProcessResult(status: 0, stdout: "", stderr: "")
            }
        }
    }

    func spec(_ n: Int, weights: [Int] = [5, 5, 1, 1]) -> ServiceSpec {
        ServiceSpec(service: VirtualService(address: "198.18.\(1 + n / 250).\(n % 250 + 1)", port: 80), scheduler: .wrr,
                    reals: weights.enumerated().map { RealSpec(address: "198.18.2.\(11 + $0.offset)", port: 80, forwarding: .nat, weight: $0.element) })
    }

    /// Thousands of services go in as one file and one `nft -f`, written in arguments well
    /// under the kernel's 128 KiB per argument.
    func testInstallAllIsOneBatch() throws {
        let director = Director()
        let specs = (0..<2000).map { spec($0) }
        try NftablesBalancer(runner: director).install(all: specs)
        XCTAssertEqual(director.loaded, [NftablesRuleset.skeleton + specs.map(NftablesRuleset.install).joined()])
        let writes = director.commands.filter { $0.first == "sh" }
        XCTAssertGreaterThan(writes.count, 1)
        XCTAssertTrue(writes.allSatisfy { $0[4].utf8.count <= 64 * 1024 })
        XCTAssertEqual(director.commands.last, ["rm", "-f", "/tmp/lvsbench-ruleset.abc"])
    }

    /// A live change reads the service as it runs and loads only its update.
    func testApplyLoadsTheServiceUpdate() throws {
        let director = Director()
        let running = spec(0, weights: [5, 1])
        director.listing = "table ip lvsbench {\n\tchain s_198_18_1_1_80 {\n"
            + "\t\tmeta l4proto tcp comment \"service 198.18.1.1:80 scheduler wrr\"\n"
            + "\t\tmeta l4proto tcp comment \"real 198.18.2.11:80 weight 5\"\n"
            + "\t\tmeta l4proto tcp comment \"real 198.18.2.12:80 weight 1\"\n\t}\n}\n"
        let balancer = NftablesBalancer(runner: director)
        XCTAssertEqual(try balancer.services(), [running])
        var quiesced = running
        quiesced.reals[1].weight = 0
        try balancer.apply(.real(running.service, quiesced.reals[1]))
        XCTAssertEqual(director.loaded, [NftablesRuleset.update(from: running, to: quiesced)])
        XCTAssertThrowsError(try balancer.apply(.scheduler(running.service, scheduler: .lc, persistence: nil)))
        XCTAssertThrowsError(try balancer.apply(.scheduler(VirtualService(address: "198.18.1.9", port: 80), scheduler: .rr, persistence: nil)))
    }

    /// The first install hooks the chains into PREROUTING and FORWARD; none after.
    func testIptablesHooksItsChainsOnce() throws {
        let director = Director()
        director.listing = "*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n"
        let balancer = IptablesBalancer(runner: director)
        try balancer.install(spec(0))
        director.listing = "*nat\n:LVSBENCH-SERVICES - [0:0]\nCOMMIT\n"
        try balancer.install(spec(1))
        XCTAssertEqual(director.loaded, [IptablesRuleset.install([spec(0)], fresh: true), IptablesRuleset.install([spec(1)], fresh: false)])
        XCTAssertFalse(director.loaded[1].contains("-A PREROUTING"))
        director.listing = "*nat\n:LVSBENCH-SERVICES - [0:0]\n"
            + "[0:0] -A LVSC61201010050 -m comment --comment \"service 198.18.1.1:80 scheduler wrr\"\nCOMMIT\n"
        XCTAssertThrowsError(try balancer.install(spec(0))) { XCTAssertEqual("\($0)", "iptables already runs service 198.18.1.1:80") }
        XCTAssertEqual(director.loaded.count, 2)
    }

    /// Netfilter's connection timeouts are conntrack's sysctls.
    func testTimeoutsAreConntracks() throws {
        let director = Director()
        let balancer = IptablesBalancer(runner: director)
        XCTAssertEqual(try balancer.timeouts(), ConnectionTimeouts(tcp: 432000, tcpFin: 120, udp: 180))
        try balancer.setTimeouts(ConnectionTimeouts(tcp: 900, tcpFin: 60, udp: 300))
        XCTAssertEqual(director.commands.last, ["sysctl", "-q", "-w", "net.netfilter.nf_conntrack_tcp_timeout_established=900",
                                                "net.netfilter.nf_conntrack_tcp_timeout_fin_wait=60",
                                                "net.netfilter.nf_conntrack_udp_timeout_stream=300"])
    }

    func testRefusesAServiceItCannotRun() {
        let director = Director()
        var dr = spec(0)
        dr.reals[0].forwarding = .dr
        XCTAssertThrowsError(try NftablesBalancer(runner: director).install(dr))
        XCTAssertTrue(director.loaded.isEmpty)
    }
}
