import XCTest
@testable import Collector

final class PacketHeadersTests: XCTestCase {
    static func ipv4(_ src: String, _ dst: String, proto: UInt8, id: UInt16, payload: [UInt8]) -> [UInt8] {
        let total = 20 + payload.count
        var p: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 255), UInt8(id >> 8), UInt8(id & 255), 0x40, 0, 64, proto, 0, 0]
        for a in [src, dst] { p += a.split(separator: ".").map { UInt8($0)! } }
        return p + payload
    }

    static func tcp(_ sport: UInt16, _ dport: UInt16, seq: UInt32, ack: UInt32, flags: UInt8, data: Int = 0) -> [UInt8] {
        var t: [UInt8] = [UInt8(sport >> 8), UInt8(sport & 255), UInt8(dport >> 8), UInt8(dport & 255)]
        for v in [seq, ack] { t += [UInt8(v >> 24), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)] }
        t += [0x50, flags, 0xff, 0xff, 0, 0, 0, 0]
        return t + [UInt8](repeating: 0x41, count: data)
    }

    static func ethernet(_ ip: [UInt8]) -> [UInt8] { [UInt8](repeating: 2, count: 12) + [0x08, 0x00] + ip }

    func parse(_ frame: [UInt8]) -> PacketHeaders? { frame.withUnsafeBytes { PacketHeaders.parse(ethernet: $0) } }

    func testNATRewriteKeepsTheTransitKey() throws {
        let ports: Set<UInt16> = [80, 9000]
        let segment = Self.tcp(40000, 80, seq: 1000, ack: 2000, flags: 0x18, data: 77)
        let entering = try XCTUnwrap(parse(Self.ethernet(Self.ipv4("198.18.0.2", "198.18.0.10", proto: 6, id: 7, payload: segment))))
        let leaving = try XCTUnwrap(parse(Self.ethernet(Self.ipv4("198.18.0.2", "198.18.1.2", proto: 6, id: 7, payload: segment))))
        XCTAssertEqual(entering.inner?.payload, 77)
        XCTAssertEqual(entering.inner?.destinationPort, 80)
        XCTAssertFalse(entering.isReply(servicePorts: ports))
        XCTAssertEqual(entering.transitKey(servicePorts: ports), leaving.transitKey(servicePorts: ports))
        // The reply: RIP -> client inside, VIP -> client outside.
        let back = Self.tcp(80, 40000, seq: 2000, ack: 1077, flags: 0x10)
        let replyIn = try XCTUnwrap(parse(Self.ethernet(Self.ipv4("198.18.1.2", "198.18.0.2", proto: 6, id: 9, payload: back))))
        let replyOut = try XCTUnwrap(parse(Self.ethernet(Self.ipv4("198.18.0.10", "198.18.0.2", proto: 6, id: 9, payload: back))))
        XCTAssertTrue(replyIn.isReply(servicePorts: ports))
        XCTAssertEqual(replyIn.transitKey(servicePorts: ports), replyOut.transitKey(servicePorts: ports))
        XCTAssertNotEqual(replyIn.transitKey(servicePorts: ports), entering.transitKey(servicePorts: ports))
    }

    func testIPIPInnerPacketMatchesThePlainOne() throws {
        let ports: Set<UInt16> = [80]
        let inner = Self.ipv4("198.18.0.2", "198.18.0.10", proto: 6, id: 5, payload: Self.tcp(40001, 80, seq: 1, ack: 0, flags: 0x02))
        let plain = try XCTUnwrap(parse(Self.ethernet(inner)))
        let tunnelled = try XCTUnwrap(parse(Self.ethernet(Self.ipv4("198.18.0.5", "198.18.1.2", proto: 4, id: 99, payload: inner))))
        XCTAssertTrue(tunnelled.isIPIP)
        XCTAssertFalse(plain.isIPIP)
        XCTAssertEqual(tunnelled.transitKey(servicePorts: ports), plain.transitKey(servicePorts: ports))
    }

    func testShortOrForeignFramesAreIgnored() {
        let frame = Self.ethernet(Self.ipv4("198.18.0.2", "198.18.0.10", proto: 6, id: 1, payload: Self.tcp(1, 80, seq: 0, ack: 0, flags: 2)))
        for cut in [0, 10, 14, 20, 33] { XCTAssertNil(parse(Array(frame[..<cut])), "cut at \(cut)") }
        XCTAssertNil(parse(Array(frame[..<40]))?.inner, "TCP header cut: no transit key")
        var arp = frame
        arp[12] = 0x08; arp[13] = 0x06
        XCTAssertNil(parse(arp))
        XCTAssertEqual(UInt32(ipv4: "198.18.0.10"), 0xC612000A)
        XCTAssertNil(UInt32(ipv4: "198.18.0"))
    }

    func testMatcherPairsHalvesInEitherOrder() {
        let m = TransitMatcher(window: 1_000_000)
        let ports: Set<UInt16> = [80]
        func key(_ seq: UInt32) -> TransitKey {
            let f = Self.ethernet(Self.ipv4("198.18.0.2", "198.18.0.10", proto: 6, id: 1, payload: Self.tcp(4000, 80, seq: seq, ack: 0, flags: 2)))
            return f.withUnsafeBytes { PacketHeaders.parse(ethernet: $0)!.transitKey(servicePorts: ports)! }
        }
        m.observe(key(1), at: 1_000, entering: true)
        m.observe(key(1), at: 1_030, entering: false)
        m.observe(key(2), at: 2_050, entering: false)
        m.observe(key(2), at: 2_000, entering: true)
        m.observe(key(3), at: 3_000, entering: true)
        let s = m.summary()
        XCTAssertEqual(s.matched, 2)
        XCTAssertEqual(s.unmatched, 1)
        XCTAssertEqual(s.max, 50)
        XCTAssertEqual(s.p50, 30)
    }
}

/// The capture's cooked v2 frames: interface and direction from the header, then the same
/// headers as from Ethernet.
final class CookedFrameTests: XCTestCase {
    static func cooked(interface: UInt32, packetType: UInt8, protocol proto: UInt16 = 0x0800, _ ip: [UInt8]) -> [UInt8] {
        [UInt8(proto >> 8), UInt8(proto & 255), 0, 0]
            + [UInt8(interface >> 24), UInt8((interface >> 16) & 255), UInt8((interface >> 8) & 255), UInt8(interface & 255)]
            + [0, 1, packetType, 6] + [UInt8](repeating: 2, count: 8) + ip
    }

    func testInterfaceAndPacketTypeGiveLinkAndDirection() throws {
        let segment = PacketHeadersTests.tcp(40000, 80, seq: 1, ack: 0, flags: 0x02)
        let ip = PacketHeadersTests.ipv4("198.18.0.2", "198.18.0.10", proto: 6, id: 7, payload: segment)
        let fromEthernet = PacketHeadersTests.ethernet(ip).withUnsafeBytes { PacketHeaders.parse(ethernet: $0) }
        let sent = try XCTUnwrap(Self.cooked(interface: 0x0102_0309, packetType: 4, ip).withUnsafeBytes { PacketHeaders.parse(cooked: $0) })
        XCTAssertEqual(sent.interface, 0x0102_0309)
        XCTAssertTrue(sent.outgoing)
        XCTAssertEqual(sent.headers, fromEthernet)
        for received: UInt8 in [0, 1, 2, 3] {
            let r = try XCTUnwrap(Self.cooked(interface: 9, packetType: received, ip).withUnsafeBytes { PacketHeaders.parse(cooked: $0) })
            XCTAssertFalse(r.outgoing, "packet type \(received): the interface received it")
        }
    }

    func testForeignOrShortFramesAreCountedOrIgnored() throws {
        let arp = try XCTUnwrap(Self.cooked(interface: 9, packetType: 0, protocol: 0x0806, [UInt8](repeating: 0, count: 28))
            .withUnsafeBytes { PacketHeaders.parse(cooked: $0) })
        XCTAssertNil(arp.headers, "not IPv4: counted, not parsed")
        XCTAssertNil([UInt8](repeating: 0, count: 19).withUnsafeBytes { PacketHeaders.parse(cooked: $0) })
        var counts = WireCounts()
        counts.count(nil, bytes: 60, servicePorts: [80])
        XCTAssertEqual([counts.packets, counts.bytes, counts.replies, counts.ipip], [1, 60, 0, 0])
    }
}
