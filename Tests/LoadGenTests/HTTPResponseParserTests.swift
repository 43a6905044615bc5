import XCTest
@testable import LoadGen

/// The parser must give the same answer however the bytes are split across receives.
final class HTTPResponseParserTests: XCTestCase {
    /// Feeds `text` in pieces of `step` bytes the way a connection does (keeping the
    /// unconsumed tail) and returns the parser and server counts at completion.
    func parse(_ text: String, step: Int) throws -> (HTTPResponseParser, [String: UInt64], Int) {
        let bytes = Array(text.utf8)
        var parser = HTTPResponseParser()
        var servers = ServerNameTable()
        var carry: [UInt8] = []
        var offset = 0
        while offset < bytes.count, !parser.isComplete {
            let piece = bytes[offset..<min(bytes.count, offset + step)]
            offset += piece.count
            carry += piece
            let consumed = try carry.withUnsafeBufferPointer { try parser.parse($0.baseAddress!, $0.count, servers: &servers) }
            carry.removeFirst(consumed)
        }
        return (parser, servers.dictionary, offset)
    }

    func testEverySplitOfAChunkedResponse() throws {
        let response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Real-Server: r1\r\n\r\n"
            + "5\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n"
        for step in 1...response.utf8.count {
            let (parser, servers, used) = try parse(response, step: step)
            XCTAssertTrue(parser.isComplete, "step \(step)")
            XCTAssertEqual(used, response.utf8.count, "step \(step)")
            XCTAssertEqual(servers, ["r1": 1], "step \(step)")
            XCTAssertEqual(parser.status, 200)
        }
    }

    func testContentLengthAndConnectionClose() throws {
        let response = "HTTP/1.1 404 Not Found\r\ncontent-LENGTH: 3\r\nConnection: close\r\n\r\nabc"
        for step in [1, 7, 1000] {
            let (parser, servers, _) = try parse(response, step: step)
            XCTAssertTrue(parser.isComplete)
            XCTAssertTrue(parser.connectionClose)
            XCTAssertEqual(parser.status, 404)
            XCTAssertEqual(servers, [:])
        }
    }

    func testBodyUntilCloseCompletesAtEndOfStream() throws {
        var (parser, _, _) = try parse("HTTP/1.0 200 OK\r\n\r\nsome body", step: 4)
        XCTAssertFalse(parser.isComplete)
        XCTAssertTrue(parser.endOfStream())
    }

    func testIncompleteResponseDoesNotCompleteAtEndOfStream() throws {
        var (parser, _, _) = try parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", step: 100)
        XCTAssertFalse(parser.isComplete)
        XCTAssertFalse(parser.endOfStream())
    }

    func testInterimResponseIsSkippedAndNoBodyStatuses() throws {
        let (parser, _, _) = try parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", step: 3)
        XCTAssertTrue(parser.isComplete)
        XCTAssertEqual(parser.status, 204)
    }

    func testGarbageIsAnError() {
        XCTAssertThrowsError(try parse("SSH-2.0-OpenSSH\r\n\r\n", step: 100))
        XCTAssertThrowsError(try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", step: 100))
    }

    func testResponderNameSplitAcrossReceives() {
        var parser = TCPResponseParser(responseSize: 20)
        var servers = ServerNameTable()
        var buffer = Array("rea".utf8)
        XCTAssertEqual(buffer.withUnsafeBufferPointer { parser.parse($0.baseAddress!, 3, servers: &servers) }, 0)
        buffer += Array("l7\n".utf8) + [UInt8](repeating: 46, count: 14)
        XCTAssertEqual(buffer.withUnsafeBufferPointer { parser.parse($0.baseAddress!, 20, servers: &servers) }, 20)
        XCTAssertTrue(parser.isComplete)
        XCTAssertEqual(servers.dictionary, ["real7": 1])
    }
}
