import TestSupport
import XCTest
@testable import Collector

/// Captured frames are bytes from the wire: damaged, truncated, nested IPIP or random ones
/// give headers within the frame or nil, never a read past the end.
final class PacketHeadersFuzzTests: XCTestCase {
    func testGeneratedAndMutatedFrames() {
        var f = Fuzzer("captured frames", defaultSeed: 0x4652_414D)
        var parsed = 0
        for i in 0..<5000 {
            let segment = PacketHeadersTests.tcp(UInt16(f.int(1...65535)), 80, seq: UInt32(truncatingIfNeeded: f.next()),
                                                 ack: UInt32(truncatingIfNeeded: f.next()), flags: 0x18, data: f.int(0...100))
            var ip = PacketHeadersTests.ipv4("198.18.0.2", "198.18.0.10", proto: 6, id: UInt16(f.int(0...65535)), payload: segment)
            for _ in 0..<f.int(0...3) { ip = PacketHeadersTests.ipv4("198.18.0.5", "198.18.1.2", proto: 4, id: 1, payload: ip) }
            let frame: [UInt8]
            switch i % 4 {
            case 0: frame = f.bytes(f.int(0...120))
            case 1: frame = PacketHeadersTests.ethernet(ip)
            default: frame = f.mutate(PacketHeadersTests.ethernet(ip))
            }
            guard let headers = frame.withUnsafeBytes({ PacketHeaders.parse(ethernet: $0) }) else { continue }
            parsed += 1
            if let inner = headers.inner {
                XCTAssertGreaterThanOrEqual(inner.payload, 0)
                XCTAssertLessThanOrEqual(inner.payload, 65535, "frame \(i): \(frame)")
            }
            _ = headers.transitKey(servicePorts: [80])
        }
        XCTAssertGreaterThan(parsed, 1000)
    }
}
