import SystemKit
import XCTest

/// The byte-wise line and field cutting every /proc parser uses: blank lines skipped but
/// counted, the last line kept without its newline, tabs and runs of spaces as one
/// separator, and text that is not ASCII passed through whole.
final class ProcTextTests: XCTestCase {
    func testLinesKeepTheirNumbersAcrossBlankOnes() {
        let lines = ProcText.lines("Tcp: a b\n\n  \t\nTcp: 1 2\nlast")
        XCTAssertEqual(lines.map(\.number), [1, 4, 5])
        XCTAssertEqual(lines.map(\.text), ["Tcp: a b", "Tcp: 1 2", "last"])
        XCTAssertEqual(ProcText.lines("").count, 0)
        XCTAssertEqual(ProcText.lines("\n\n").count, 0)
        XCTAssertEqual(ProcText.lines("x\n").map(\.text), ["x"])
    }

    func testFieldsSplitOnRunsOfSpacesAndTabs() {
        XCTAssertEqual(ProcText.fields("  lo:\t 12  0\t\t7 "), ["lo:", "12", "0", "7"])
        XCTAssertEqual(ProcText.fields(""), [])
        XCTAssertEqual(ProcText.fields(" \t "), [])
        XCTAssertEqual(ProcText.fields("caf\u{E9} na\u{EF}ve \u{1F600}x"), ["caf\u{E9}", "na\u{EF}ve", "\u{1F600}x"])
        let line = ProcText.lines("h\n a\u{301} b")[1].text
        XCTAssertEqual(ProcText.fields(line), ["a\u{301}", "b"], "a combining mark stays with its letter")
    }
}
