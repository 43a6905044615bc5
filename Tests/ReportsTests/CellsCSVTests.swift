import Reports
import Results
import XCTest

final class CellsCSVTests: XCTestCase {
    func testOneRowPerCellWithHeaderAndRFC4180Quoting() {
        let summary = SyntheticSummary.run()
        let csv = CellsCSV.render(summary)
        XCTAssertTrue(csv.hasSuffix("\r\n"))
        let lines = csv.components(separatedBy: "\r\n").dropLast()
        XCTAssertEqual(lines.count, summary.cells.count + 1)
        XCTAssertEqual(lines.first, CellsCSV.header.joined(separator: ","))
        XCTAssertTrue(lines[1].hasPrefix("nat,rr,default,4,http,\"5,5,1,1\",15800,"), lines[1])
    }

    func testFieldQuoting() {
        XCTAssertEqual(CellsCSV.field("plain"), "plain")
        XCTAssertEqual(CellsCSV.field("a,b"), "\"a,b\"")
        XCTAssertEqual(CellsCSV.field("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(CellsCSV.field("two\r\nlines"), "\"two\r\nlines\"")
    }
}
