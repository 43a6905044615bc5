import Foundation
import Reports
import Results
import XCTest

/// IPVS's own cost as the reports show it: cells.csv columns, the Markdown/HTML section,
/// and the capacity model's "IPVS alone" answer next to the paper's 22.
final class ForwardCostReportTests: XCTestCase {
    func testCSVCarriesThePlainForwardColumns() throws {
        let csv = CellsCSV.render(SyntheticSummary.run())
        let rows = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.map { $0.components(separatedBy: ",") }
        let header = try XCTUnwrap(rows.first)
        let i = try XCTUnwrap(header.firstIndex(of: "ipvs_us_per_packet"))
        XCTAssertEqual(header.suffix(9), ["plain_rps", "ipvs_to_plain_ratio", "us_per_packet_ipvs", "us_per_packet_plain",
                                          "ipvs_us_per_packet", "us_per_conn_ipvs", "us_per_conn_plain",
                                          "ipvs_us_per_conn", "ipvs_packets_during_plain"])
        // The first cell is NAT: 28 µs with IPVS, 24 without. Count from the end: shares hold commas.
        let nat = rows[1]
        XCTAssertEqual(nat[nat.count - (header.count - i)], "4")
        XCTAssertEqual(nat.last, "0")
        XCTAssertEqual(nat[nat.count - 2], "", "keep-alive: no per-connection cost")
    }

    func testReportShowsCostsWithAndWithoutIPVS() {
        let md = MarkdownReport.render(SyntheticSummary.run())
        XCTAssertTrue(md.contains("IPVS's own cost: the same director with and without IPVS"))
        XCTAssertTrue(md.contains("nat: director 28.0 µs/packet with IPVS, 24.0 without; IPVS's own cost +4.0 µs/packet"), md)
        XCTAssertTrue(md.contains("IPVS counted 0 packets during every plain-forward stretch"))
        XCTAssertTrue(md.contains("| IPVS/plain |"))
        let html = HTMLReport.render(SyntheticSummary.run())
        XCTAssertTrue(html.contains("IPVS&#39;s own cost: the same director with and without IPVS"))
        XCTAssertTrue(html.contains("IPVS&#39;s own cost +4.0 µs/packet"))
    }

    func testCapacityModelLabelsBothAnswers() {
        let md = MarkdownReport.render(SyntheticSummary.sweep())
        XCTAssertTrue(md.contains("reals, IPVS alone"))
        XCTAssertTrue(md.contains("what this director (an emulated one-CPU guest) serves"))
        XCTAssertTrue(md.contains("IPVS's own cost at saturation is 4.0 µs per packet"), md)
        XCTAssertTrue(md.contains("(the paper: 22 for NAT)"))
        XCTAssertTrue(md.contains("plain req/s (1 uncapped real)"))
    }

    /// IPVS directors of runs and sweeps are not at the kernel's default conn_reuse_mode:
    /// their reports say so; a run of other balancers only does not.
    func testReportsNameTheDirectorsPortReuseSetting() {
        let note = "IPVS directors run with net.ipv4.vs.conn_reuse_mode=3 (the kernel's default is 1)"
        XCTAssertTrue(MarkdownReport.render(SyntheticSummary.sweep()).contains(note))
        XCTAssertTrue(HTMLReport.render(SyntheticSummary.sweep()).contains("conn_reuse_mode=3"))
        var run = SyntheticSummary.run()
        XCTAssertTrue(MarkdownReport.render(run).contains(note))
        run.cells = run.cells.map { var c = $0; c.balancer = .nftables; return c }
        XCTAssertFalse(MarkdownReport.render(run).contains("conn_reuse_mode"))
    }
}
