import Foundation
import Reports
import Results
import SystemKit
import Vocabulary
import XCTest

/// Summaries, cells.csv and reports with more than one balancer; IPVS-only ones unchanged.
final class BalancerReportTests: XCTestCase {
    static var baselineURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("results/baselines/ci")
    }

    /// The CI baseline's cells, plus each again under `balancer`.
    static func twoBalancers(_ other: BalancerKind = .nftables) -> Summary {
        var s = SyntheticSummary.run()
        s.cells = s.cells.filter { $0.mode == .nat && ($0.scheduler == .rr || $0.scheduler == .wrr) }
        s.cells += s.cells.map { c in
            var n = c
            n.balancer = other
            n.rps = c.rps * 0.9
            return n
        }
        s.lab = LabSetup(modes: [.nat], reals: [4], weights: SyntheticSummary.weights, directorHost: "uml",
                         profiles: ["default"], loads: [.http], balancers: [.ipvs, other],
                         notMeasured: [NotMeasured(mode: .nat, balancer: other, scheduler: .lc, profile: "default",
                                                   reason: "balancer \(other.rawValue) has no scheduler lc: use rr or wrr")])
        return s
    }

    func testAnIPVSOnlySummaryIsWrittenByteForByteAsBefore() throws {
        let file = Self.baselineURL.appendingPathComponent("summary.json")
        let written = try Data(contentsOf: file)
        let summary = try ResultDirectory.load(from: Self.baselineURL).readSummary()
        XCTAssertTrue(summary.cells.allSatisfy { $0.balancer == .ipvs }, "a summary without the key is IPVS")
        XCTAssertNil(summary.lab.balancers)
        XCTAssertEqual(summary.lab.measuredBalancers, [.ipvs])
        XCTAssertEqual(String(decoding: try JSONCoding.encode(summary), as: UTF8.self), String(decoding: written, as: UTF8.self))
        let synthetic = String(decoding: try JSONCoding.encode(SyntheticSummary.run()), as: UTF8.self)
        XCTAssertFalse(synthetic.contains("balancer"), "no balancer key while IPVS alone ran")
        XCTAssertFalse(synthetic.contains("not_measured"))
    }

    func testOtherBalancersRoundTripAndAreWritten() throws {
        let s = Self.twoBalancers()
        let data = try JSONCoding.encode(s)
        XCTAssertEqual(try JSONCoding.decode(Summary.self, from: data), s)
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let cells = json["cells"] as! [[String: Any]]
        XCTAssertNil(cells[0]["balancer"])
        XCTAssertEqual(cells[2]["balancer"] as? String, "nftables")
        let lab = json["lab"] as! [String: Any]
        XCTAssertEqual(lab["balancers"] as? [String], ["ipvs", "nftables"])
        XCTAssertEqual((lab["not_measured"] as? [[String: Any]])?.first?["scheduler"] as? String, "lc")
        let probe = try ProcessRunner.run(["python3", "-c", "import jsonschema"])
        try XCTSkipUnless(probe.succeeded, "python3 jsonschema missing: run scripts/setup.sh")
        let schema = Self.baselineURL.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("schema/summary.schema.json").path
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bal-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try data.write(to: file)
        let check = "import json,sys\nfrom jsonschema import Draft202012Validator as V\n"
            + "V(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))\n"
        let result = try ProcessRunner.run(["python3", "-c", check, schema, file.path])
        XCTAssertTrue(result.succeeded, result.stderr)
    }

    func testTheBalancerIsPartOfACellsIdentity() throws {
        let baseline = try ResultDirectory.load(from: Self.baselineURL).readSummary()
        XCTAssertTrue(try Comparison.compare(base: baseline, new: baseline, threshold: 0.05).passed,
                      "an old baseline compares with an IPVS run as before")
        var moved = baseline
        for i in moved.cells.indices { moved.cells[i].balancer = .iptables }
        XCTAssertThrowsError(try Comparison.compare(base: baseline, new: moved, threshold: 0.05),
                             "iptables cells are not the baseline's IPVS cells")
        let two = Self.twoBalancers()
        XCTAssertEqual(Set(two.cells.map(\.key)).count, 4)
        XCTAssertEqual(two.cells[2].key.description, "nat/nftables/rr/default/4r/http/w5.5.1.1")
        XCTAssertEqual(two.cells[0].key.description, "nat/rr/default/4r/http/w5.5.1.1")
    }

    func testCellsCSVAppendsTheBalancerColumnOnlyWhenAnotherBalancerRan() {
        let lines = CellsCSV.render(Self.twoBalancers()).components(separatedBy: "\r\n").dropLast()
        XCTAssertEqual(lines.first, (CellsCSV.header + ["balancer"]).joined(separator: ","))
        XCTAssertEqual(lines.map { $0.components(separatedBy: ",").last! }, ["balancer", "ipvs", "ipvs", "nftables", "nftables"])
        XCTAssertTrue(lines[3].hasPrefix("nat,rr,default,4,http,"), lines[3])
        let ipvs = CellsCSV.render(SyntheticSummary.run())
        XCTAssertTrue(ipvs.hasPrefix(CellsCSV.header.joined(separator: ",") + "\r\n"))
        XCTAssertFalse(ipvs.contains("balancer"))
    }

    func testReportsShowTheBalancerWhereMoreThanOneRan() {
        let md = MarkdownReport.render(Self.twoBalancers())
        XCTAssertTrue(md.contains("| Balancers | ipvs, nftables |"), md)
        XCTAssertTrue(md.contains("| mode | balancer | sched | profile | reals | load |"), md)
        XCTAssertTrue(md.contains("| nat | nftables | rr | default | 4 | http |"), md)
        XCTAssertTrue(md.contains("| ipvs/rr | 5 : 5 : 1 : 1 |"), "shares labelled by balancer: \(md)")
        XCTAssertTrue(md.contains("| nftables/wrr | "), md)
        XCTAssertTrue(md.contains("balancer conns"))
        XCTAssertTrue(md.contains("## Not measured"))
        XCTAssertTrue(md.contains("- nat nftables lc default: not measured: balancer nftables has no scheduler lc: use rr or wrr"), md)
        XCTAssertFalse(md.contains("haproxy"))
        let html = HTMLReport.render(Self.twoBalancers())
        XCTAssertTrue(html.contains("<td>nftables</td>"))
        XCTAssertTrue(html.contains(">nftables/rr<"), "chart categories name the balancer")
        let ipvs = MarkdownReport.render(SyntheticSummary.run())
        for absent in ["Balancers", "balancer", "Not measured", "haproxy"] {
            XCTAssertFalse(ipvs.contains(absent), "an IPVS-only report says nothing of \(absent)")
        }
    }

    func testANftablesCellBesideGuestCellsSaysItsDirectorRanOnTheHost() {
        var nft = Self.twoBalancers(.nftables)
        nft.directorHost = "uml"
        var ipt = Self.twoBalancers(.iptables)
        ipt.directorHost = "uml"
        for report in [MarkdownReport.render(nft), HTMLReport.render(nft)] {
            XCTAssertTrue(report.contains("runs on the host"), report)
            XCTAssertTrue(report.contains("CONFIG_NFT_NAT is not set"))
        }
        XCTAssertFalse(MarkdownReport.render(ipt).contains("CONFIG_NFT_NAT"))
    }

    func testAHaproxyCellExplainsWhatAProxyMeans() {
        XCTAssertTrue(MarkdownReport.render(Self.twoBalancers(.haproxy)).contains("the reals see the director's address, not the client's"))
        for report in [MarkdownReport.render(Self.twoBalancers(.haproxy)), HTMLReport.render(Self.twoBalancers(.haproxy))] {
            // HTML escapes the apostrophes: check the words between them.
            XCTAssertTrue(report.contains("so the reals see the director"), report)
            XCTAssertTrue(report.contains("a real that logs, limits or routes by client address sees one client"))
            XCTAssertTrue(report.contains("opens a second connection of its own to the chosen real for every client connection"))
        }
    }
}

extension BalancerReportTests {
    func testEachBalancersCostPerPacketIsReportedByName() {
        let md = MarkdownReport.render(Self.twoBalancers())
        XCTAssertTrue(md.contains("## Each balancer's own cost: the same director with and without it"), md)
        XCTAssertTrue(md.contains("- nat IPVS: director 28.0 µs/packet with IPVS, 24.0 without; IPVS's own cost +4.0 µs/packet"), md)
        XCTAssertTrue(md.contains("- nat nftables: director 28.0 µs/packet with nftables, 24.0 without; nftables's own cost +4.0 µs/packet"), md)
        XCTAssertTrue(md.contains("| cell | µs/packet with balancer | µs/packet plain | balancer µs/packet |"), md)
        let ipvs = MarkdownReport.render(SyntheticSummary.run())
        XCTAssertTrue(ipvs.contains("## IPVS's own cost: the same director with and without IPVS"))
        XCTAssertTrue(ipvs.contains("- nat: director 28.0 µs/packet with IPVS, 24.0 without; IPVS's own cost +4.0 µs/packet"), ipvs)
    }
}
