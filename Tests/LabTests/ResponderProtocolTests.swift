import Lab
import XCTest

final class ResponderProtocolTests: XCTestCase {
    func testHeaderIsBigEndianLengths() {
        let p = ResponderProtocol(requestLength: 0x0102_0304, responseLength: 64)
        XCTAssertEqual(p.header, [1, 2, 3, 4, 0, 0, 0, 64])
        XCTAssertEqual(ResponderProtocol(header: p.header), p)
    }

    func testRejectsShortOrImpossibleHeaders() {
        XCTAssertNil(ResponderProtocol(header: [0, 0, 0, 8, 0, 0, 0]))
        XCTAssertNil(ResponderProtocol(header: [0, 0, 0, 7, 0, 0, 0, 1]))
        XCTAssertNotNil(ResponderProtocol(header: [0, 0, 0, 8, 0, 0, 0, 0]))
    }

    func testResponseStartsWithTheRealsNameAndHasExactLength() {
        XCTAssertEqual(ResponderProtocol.response(name: "real12", length: 10), Array("real12\n...".utf8))
        XCTAssertEqual(ResponderProtocol.response(name: "real12", length: 3), Array("rea".utf8))
        XCTAssertEqual(ResponderProtocol.response(name: "real1", length: 0), [])
    }
}
