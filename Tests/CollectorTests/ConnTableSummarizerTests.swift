import IPVSControl
import SystemKit
import XCTest

/// The agent's in-process count of /proc/net/ip_vs_conn against the awk program the
/// collector used to run in the guest, on a recorded table fed in chunks of every size.
final class ConnTableSummarizerTests: XCTestCase {
    func testChunkedSummaryEqualsAwk() throws {
        let table = try Fixtures.text(Fixtures.guest, "proc-net-ip_vs_conn")
        let file = NSTemporaryDirectory() + "ip_vs_conn-summary-\(getpid())"
        try table.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let awk = try ProcessRunner.run(["awk", IPVSConnTable.summaryAWK, file], timeout: 30)
        XCTAssertEqual(awk.status, 0, awk.stderr)
        let expected = try IPVSConnTable(parsingSummary: awk.stdout)
        XCTAssertGreaterThan(expected.total, 0)
        let bytes = Array(table.utf8)
        for size in [1, 7, 64, 100, 4096, bytes.count] {
            var s = ConnTableSummarizer()
            var i = 0
            while i < bytes.count {
                s.feed(bytes[i..<min(i + size, bytes.count)])
                i += size
            }
            XCTAssertEqual(try IPVSConnTable(parsingSummary: s.finish()), expected, "chunks of \(size)")
        }
    }

    func testEmptyTableAndMissingFinalNewline() throws {
        var empty = ConnTableSummarizer()
        empty.feed(Array("Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n".utf8))
        XCTAssertEqual(empty.finish(), "entries 0\n")
        var cut = ConnTableSummarizer()
        cut.feed(Array("Pro FromIP\nTCP C6120002 A1B2 C6120164 0050 C612020B 0050 TIME_WAIT        98".utf8))
        XCTAssertEqual(try IPVSConnTable(parsingSummary: cut.finish()),
                       IPVSConnTable(byState: ["TIME_WAIT": 1], byReal: ["198.18.2.11:80": 1]))
    }
}
