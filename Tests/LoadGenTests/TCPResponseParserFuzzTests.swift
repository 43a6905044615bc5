import TestSupport
import XCTest
@testable import LoadGen

/// The client side of the responder protocol against generated and damaged answers: it
/// takes exactly the response's bytes (never the next response's), and counts the first
/// line as the real's name only when it ends within the name limit.
final class TCPResponseParserFuzzTests: XCTestCase {
    /// Feeds `stream` in `pieces` the way the worker does (keeping what was not consumed);
    /// returns the bytes taken when complete (nil if the stream ran out) and the names counted.
    static func feed(_ stream: [UInt8], responseSize: Int, pieces: [Int]) -> (taken: Int?, servers: [String: UInt64]) {
        var parser = TCPResponseParser(responseSize: responseSize)
        var servers = ServerNameTable()
        var carry: [UInt8] = []
        var offset = 0
        var taken = 0
        if parser.isComplete { return (0, [:]) }
        for n in pieces where offset < stream.count {
            let piece = stream[offset..<min(stream.count, offset + n)]
            offset += piece.count
            carry += piece
            let consumed = carry.withUnsafeBufferPointer { parser.parse($0.baseAddress!, $0.count, servers: &servers) }
            XCTAssertTrue(consumed >= 0 && consumed <= carry.count, "consumed \(consumed) of \(carry.count)")
            if consumed == 0 {
                XCTAssertLessThanOrEqual(carry.count, TCPResponseParser.maxNameLength, "kept more than a name")
            }
            carry.removeFirst(min(max(consumed, 0), carry.count))
            taken += consumed
            if parser.isComplete { return (taken, servers.dictionary) }
        }
        return (nil, servers.dictionary)
    }

    /// What the parser should say: the name is the first line when it ends (non-empty)
    /// within the response and within the name limit.
    static func expectedName(_ stream: [UInt8], responseSize: Int) -> [String: UInt64] {
        let window = stream.prefix(min(responseSize, TCPResponseParser.maxNameLength + 1))
        guard let nl = window.firstIndex(of: 10), nl > 0 else { return [:] }
        return [String(decoding: stream[..<nl], as: UTF8.self): 1]
    }

    func testGeneratedAndMutatedAnswers() {
        var f = Fuzzer("TCP responder answers", defaultSeed: 0x5443_5052)
        var complete = 0
        for i in 0..<4000 {
            let size = f.chance(80) ? f.int(0...300) : f.int(0...70_000)
            var answer = Array("real\(f.int(1...64))\n".utf8)
            answer += [UInt8](repeating: UInt8(ascii: "."), count: max(0, size - answer.count))
            answer = Array(answer.prefix(size))
            let stream = f.chance(70) ? f.mutate(answer + Array("real2\n...".utf8), tokens: ["\n", "real", "\n\n"])
                : f.bytes(f.int(0...400))
            let result = Self.feed(stream, responseSize: size, pieces: f.pieces(stream.count))
            let excerpt = fuzzExcerpt(stream)
            if stream.count >= size {
                complete += 1
                XCTAssertEqual(result.taken, size, "input \(i) (size \(size)): \(excerpt)")
                XCTAssertEqual(result.servers, Self.expectedName(stream, responseSize: size), "input \(i) (size \(size)): \(excerpt)")
            } else {
                XCTAssertNil(result.taken, "input \(i): complete with \(stream.count) of \(size) bytes")
            }
        }
        XCTAssertGreaterThan(complete, 1000)
    }
}
