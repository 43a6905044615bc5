import Foundation
import TestSupport
import XCTest
@testable import Lab

/// The responder's side of the protocol under random and damaged requests: header decoding
/// agrees with the rules (N >= 8, both lengths within the limit), and a real connection
/// served by `Responder.handle` answers exactly the valid requests before the first bad or
/// cut one, then closes; it never traps or answers garbage.
final class ResponderProtocolFuzzTests: XCTestCase {
    static func valid(_ n: UInt32, _ m: UInt32) -> Bool {
        n >= UInt32(ResponderProtocol.headerLength) && n <= ResponderProtocol.maximumLength && m <= ResponderProtocol.maximumLength
    }

    func testHeaderDecoding() {
        var f = Fuzzer("responder headers", defaultSeed: 0x4844_5253)
        var accepted = 0
        for i in 0..<5000 {
            var bytes: [UInt8]
            switch i % 3 {
            case 0: bytes = f.bytes(f.int(0...10))
            case 1: bytes = f.mutate(ResponderProtocol(requestLength: UInt32(f.int(8...4096)), responseLength: UInt32(f.int(0...4096))).header)
            default:
                bytes = ResponderProtocol(requestLength: UInt32(truncatingIfNeeded: f.next()),
                                          responseLength: UInt32(truncatingIfNeeded: f.next() >> UInt64(f.int(0...63)))).header
            }
            let decoded = ResponderProtocol(header: bytes)
            guard bytes.count >= 8 else {
                XCTAssertNil(decoded, "short header \(bytes)")
                continue
            }
            let n = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let m = bytes[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            XCTAssertEqual(decoded != nil, Self.valid(n, m), "header \(Array(bytes.prefix(8)))")
            if let decoded {
                accepted += 1
                XCTAssertEqual(decoded.requestLength, n)
                XCTAssertEqual(decoded.responseLength, m)
                XCTAssertEqual(decoded.header, Array(bytes.prefix(8)))
            }
        }
        XCTAssertGreaterThan(accepted, 500)
    }

    /// What `Responder.handle` must write for `stream` (then close).
    static func expectedAnswer(_ stream: [UInt8], name: String) -> [UInt8] {
        var out: [UInt8] = []
        var pos = 0
        while pos + 8 <= stream.count, let request = ResponderProtocol(header: stream[pos..<(pos + 8)]) {
            pos += 8
            let body = Int(request.requestLength) - 8
            guard pos + body <= stream.count else { break }
            pos += body
            out += ResponderProtocol.response(name: name, length: Int(request.responseLength))
        }
        return out
    }

    /// Serves `stream` on one end of a socket pair with `Responder.handle` and returns
    /// everything it wrote before closing.
    static func serve(_ stream: [UInt8], name: String) -> [UInt8] {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { return [] }
        let server = Socket(fd: fds[1]), client = fds[0]
        let done = DispatchGroup()
        done.enter()
        Thread { Responder.handle(server, name: name); done.leave() }.start()
        done.enter()
        Thread {
            var sent = 0
            while sent < stream.count {
                let n = stream.withUnsafeBytes { send(client, $0.baseAddress! + sent, stream.count - sent, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { break }
                sent += n
            }
            shutdown(client, Int32(SHUT_WR))
            done.leave()
        }.start()
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(client, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        done.wait()
        close(client)
        return answer
    }

    func testServedStreams() {
        var f = Fuzzer("responder streams", defaultSeed: 0x5253_5452)
        var served = 0
        for i in 0..<2000 {
            var stream: [UInt8] = []
            for _ in 0..<f.int(1...5) {
                let n = f.int(8...300), m = f.int(0...300)
                stream += ResponderProtocol(requestLength: UInt32(n), responseLength: UInt32(m)).header
                stream += [UInt8](repeating: UInt8(ascii: "x"), count: n - 8)
            }
            if i % 4 != 0 { stream = f.mutate(stream) }
            let name = "real\(f.int(1...64))"
            let expected = Self.expectedAnswer(stream, name: name)
            guard expected.count <= 4 << 20 else { continue }
            let answer = Self.serve(stream, name: name)
            served += 1
            XCTAssertEqual(answer.count, expected.count, "stream \(i): \(fuzzExcerpt(stream))")
            XCTAssertTrue(answer == expected, "stream \(i): answer differs from the protocol's")
        }
        print("responder streams: \(served) served")
        XCTAssertGreaterThan(served, 1800)
    }
}
