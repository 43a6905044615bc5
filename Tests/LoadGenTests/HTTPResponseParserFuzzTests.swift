import TestSupport
import XCTest
@testable import LoadGen

/// Generated and damaged HTTP responses, fed the way a connection feeds them: the parser
/// completes, waits for more, or throws its ParseError (which `load` counts as a read
/// error). It never traps, and the answer does not depend on how the bytes were split.
final class HTTPResponseParserFuzzTests: XCTestCase {
    enum Outcome: Equatable {
        case complete(status: Int, servers: [String: UInt64], used: Int)
        /// Still waiting when the bytes ran out (and the end of stream did not complete it).
        case incomplete
        /// ParseError: a read error for the load generator.
        case malformed
        /// An unfinished line filled the connection's buffer: also a read error.
        case overlong
    }

    /// Feeds `bytes` in `pieces` through a carry buffer of the worker's size, as
    /// Worker+Requests does, then signals the end of the stream.
    static func feed(_ bytes: [UInt8], pieces: [Int]) -> Outcome {
        var parser = HTTPResponseParser()
        var servers = ServerNameTable()
        var carry: [UInt8] = []
        var offset = 0
        var used = 0
        for n in pieces where offset < bytes.count {
            let room = Worker.bufferSize - carry.count
            let piece = bytes[offset..<min(bytes.count, offset + min(n, room))]
            offset += piece.count
            carry += piece
            let consumed: Int
            do {
                consumed = try carry.withUnsafeBufferPointer { try parser.parse($0.baseAddress!, $0.count, servers: &servers) }
            } catch is HTTPResponseParser.ParseError {
                return .malformed
            } catch {
                XCTFail("\(error) is not HTTPResponseParser.ParseError")
                return .malformed
            }
            guard consumed >= 0, consumed <= carry.count else {
                XCTFail("consumed \(consumed) of \(carry.count) bytes")
                return .malformed
            }
            carry.removeFirst(consumed)
            used += consumed
            if parser.isComplete { return .complete(status: parser.status, servers: servers.dictionary, used: used) }
            if carry.count >= Worker.bufferSize { return .overlong }
        }
        if parser.endOfStream() { return .complete(status: parser.status, servers: servers.dictionary, used: bytes.count) }
        return .incomplete
    }

    /// Texts from the parser's own tests, the seeds of the mutations.
    static let recorded = [
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Real-Server: r1\r\n\r\n5\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n",
        "HTTP/1.1 404 Not Found\r\ncontent-LENGTH: 3\r\nConnection: close\r\n\r\nabc",
        "HTTP/1.0 200 OK\r\n\r\nsome body",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Thu, 03 Dec 2026 09:00:00 GMT\r\nContent-Type: text/html\r\n"
            + "Content-Length: 6\r\nConnection: keep-alive\r\nX-Real-Server: real1\r\n\r\nreal1\n",
    ]

    static let tokens = ["\r\n", "\r\n\r\n", "Content-Length: ", "Transfer-Encoding: chunked\r\n", "X-Real-Server: ",
                         "Connection: close\r\n", "HTTP/1.1 ", ";ext=1", "0\r\n\r\n", ":", " ", "\t", "-", "\n"]

    /// A well-formed response: its bytes, status and server.
    static func generate(_ f: inout Fuzzer) -> (bytes: [UInt8], status: Int, server: String) {
        let status = f.pick([200, 200, 201, 204, 301, 304, 404, 503])
        let server = "real\(f.int(1...64))"
        var head = f.chance(20) ? "HTTP/1.1 100 Continue\r\n\r\n" : ""
        head += "HTTP/1.\(f.int(0...1)) \(status) Whatever\r\n"
        var headers = ["\(f.pick(["X-Real-Server", "x-real-server", "X-REAL-SERVER"])):\(f.pick(["", " ", "\t "]))\(server)"]
        for _ in 0..<f.int(0...4) { headers.append("X-Filler-\(f.int(0...999)): \(String(repeating: "v", count: f.int(0...200)))") }
        var body = ""
        let kind = f.int(0...2)
        let bodyless = status == 204 || status == 304
        switch kind {
        case 0:
            let n = f.int(0...3000)
            headers.append("\(f.pick(["Content-Length", "content-length"])): \(n)")
            if !bodyless { body = String(repeating: "b", count: n) }
        case 1:
            headers.append("Transfer-Encoding: \(f.pick(["chunked", "gzip, chunked", "CHUNKED"]))")
            if !bodyless {
                for _ in 0..<f.int(0...4) {
                    let n = f.int(1...2000)
                    let size = String(n, radix: 16, uppercase: f.chance(50))
                    body += "\(f.chance(20) ? "000" : "")\(size)\(f.chance(20) ? ";name=value" : "")\r\n"
                        + String(repeating: "c", count: n) + "\r\n"
                }
                body += "0\r\n" + (f.chance(30) ? "Trailer: x\r\n" : "") + "\r\n"
            }
        default:
            headers.append("Connection: close")
            if !bodyless { body = String(repeating: "u", count: f.int(0...3000)) }
        }
        let text = head + headers.shuffled(using: &f).joined(separator: "\r\n") + "\r\n\r\n" + body
        return (Array(text.utf8), status, server)
    }

    func testGeneratedResponsesParseWhateverTheSplit() {
        var f = Fuzzer("HTTP generated", defaultSeed: 0x4854_5450)
        for i in 0..<1500 {
            let (bytes, status, server) = Self.generate(&f)
            let outcome = Self.feed(bytes, pieces: f.pieces(bytes.count))
            XCTAssertEqual(outcome, .complete(status: status, servers: [server: 1], used: bytes.count),
                           "input \(i): \(fuzzExcerpt(bytes))")
        }
    }

    func testMutatedResponsesNeverTrapAndDoNotDependOnTheSplit() {
        var f = Fuzzer("HTTP mutated", defaultSeed: 0x4854_5451)
        var counts: [String: Int] = [:]
        for i in 0..<3000 {
            let seed = f.chance(30) ? Array(f.pick(Self.recorded).utf8) : Self.generate(&f).bytes
            let bytes = f.mutate(seed, tokens: Self.tokens)
            let whole = Self.feed(bytes, pieces: [Worker.bufferSize])
            let split = Self.feed(bytes, pieces: f.pieces(bytes.count))
            if bytes.count < Worker.bufferSize {
                XCTAssertEqual(whole, split, "input \(i): \(fuzzExcerpt(bytes))")
            }
            if case let .complete(_, _, used) = split { XCTAssertLessThanOrEqual(used, bytes.count) }
            counts["\(split)".prefix(while: { $0 != "(" }).description, default: 0] += 1
        }
        print("HTTP mutated outcomes: \(counts.sorted { $0.key < $1.key })")
        XCTAssertGreaterThan(counts["malformed"] ?? 0, 100, "the mutations should break many responses")
        XCTAssertGreaterThan(counts["complete"] ?? 0, 100, "and leave many intact")
    }

    /// Lengths no server sends: each is a ParseError (a read error), never an overflow.
    func testAbsurdLengthsAreMalformed() {
        let heads = [
            "Content-Length: 99999999999999999999", "Content-Length: 18446744073709551616",
            "Content-Length: 9223372036854775808", "Content-Length: 1099511627777", "Content-Length: -1",
            "Content-Length: ", "Content-Length: 1 2", "Content-Length: 0x10", "Content-Length: +5",
        ]
        for head in heads {
            let bytes = Array("HTTP/1.1 200 OK\r\n\(head)\r\n\r\nbody".utf8)
            XCTAssertEqual(Self.feed(bytes, pieces: [bytes.count]), .malformed, head)
        }
        for size in ["fffffffffffffffffffff", "10000000001", "FFFFFFFFFFFFFFFF0"] {
            let bytes = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nxx".utf8)
            XCTAssertEqual(Self.feed(bytes, pieces: [bytes.count]), .malformed, size)
        }
        let fine = Array("HTTP/1.1 200 OK\r\nContent-Length: 0000000000000000000000002\r\n\r\nok".utf8)
        XCTAssertEqual(Self.feed(fine, pieces: [fine.count]), .complete(status: 200, servers: [:], used: fine.count))
    }
}
