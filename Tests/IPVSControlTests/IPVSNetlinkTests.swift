import XCTest
@testable import IPVSControl

/// The IPVS netlink parser on bytes a 6.1 kernel sent (`RecordedNetlink`), the requests it
/// builds, and damaged replies.
final class IPVSNetlinkTests: XCTestCase {
    func testFamilyReplyCarriesTheIdTheDumpsUse() throws {
        let reply = try NetlinkMessage.split(RecordedNetlink.family)
        XCTAssertEqual(reply.count, 1)
        let id = try XCTUnwrap(reply[0].genlAttributes().first { $0.type == 1 }).u16()
        let services = try NetlinkMessage.split(RecordedNetlink.services)
        XCTAssertEqual(services.map(\.type), [id, id], "the dump's messages are of the IPVS family")
    }

    func testServicesFromRecordedDump() throws {
        let services = try IPVSNetlink.services(from: try NetlinkMessage.split(RecordedNetlink.services))
        XCTAssertEqual(services.map { "\($0.proto) \($0.address):\($0.port)" }, ["TCP 198.18.1.100:9000", "TCP 198.18.1.100:80"],
                       "in the kernel's hash order")
        XCTAssertEqual(services.map(\.family), [2, 2])
        XCTAssertEqual(services[0].identity.map(\.type).sorted(), [1, 2, 3, 4], "AF, protocol, address, port for GET_DEST")
        XCTAssertTrue(try NetlinkMessage.split(RecordedNetlink.servicesDone).allSatisfy { $0.type == NetlinkMessage.done })
    }

    func testRealsFromRecordedDumpEqualIpvsadmsListing() throws {
        let services = try IPVSNetlink.services(from: try NetlinkMessage.split(RecordedNetlink.services))
        let reals = try IPVSNetlink.reals(from: try NetlinkMessage.split(RecordedNetlink.destsTCP), of: services[0])
            + IPVSNetlink.reals(from: try NetlinkMessage.split(RecordedNetlink.destsHTTP), of: services[1])
        // What ipvsadm -Ln --stats --exact printed in the same guest right before.
        let listing = try IPVSStatsListing.realCounters(parsing: """
            IP Virtual Server version 1.2.1 (size=4096)
            Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
              -> RemoteAddress:Port
            TCP  198.18.1.100:80                     9       46       44     3332     4012
              -> 198.18.2.11:80                      6       30       30     2202     2706
              -> 198.18.2.12:80                      3       16       14     1130     1306
            TCP  198.18.1.100:9000                   0        0        0        0        0
              -> 198.18.2.11:9000                    0        0        0        0        0
              -> 198.18.2.12:9000                    0        0        0        0        0
            """)
        // The stats listing has no entries; `ipvsadm -Ln` has them, checked below.
        let counted = reals.map { RealReading(proto: $0.proto, service: $0.service, address: $0.address, port: $0.port, counters: $0.counters) }
        XCTAssertEqual(counted.sorted { $0.key < $1.key }, listing.sorted { $0.key < $1.key })
        XCTAssertEqual(reals.first { $0.key == "TCP 198.18.1.100:80 -> 198.18.2.11:80" }?.counters,
                       BalancerCounters(conns: 6, inPackets: 30, outPackets: 30, inBytes: 2202, outBytes: 2706))
    }

    /// ACTIVE_CONNS and INACT_CONNS of each real: after 9 closed connections (6 and 3) all
    /// of them wait in TIME_WAIT, so every entry is inactive; nothing ever reached :9000.
    func testRealsFromRecordedDumpCarryTheirConnectionEntries() throws {
        let services = try IPVSNetlink.services(from: try NetlinkMessage.split(RecordedNetlink.services))
        let reals = try IPVSNetlink.reals(from: try NetlinkMessage.split(RecordedNetlink.destsTCP), of: services[0])
            + IPVSNetlink.reals(from: try NetlinkMessage.split(RecordedNetlink.destsHTTP), of: services[1])
        let entries = Dictionary(uniqueKeysWithValues: reals.map { ($0.key, [$0.activeEntries, $0.inactiveEntries]) })
        XCTAssertEqual(entries, ["TCP 198.18.1.100:80 -> 198.18.2.11:80": [0, 6], "TCP 198.18.1.100:80 -> 198.18.2.12:80": [0, 3],
                                 "TCP 198.18.1.100:9000 -> 198.18.2.11:9000": [0, 0], "TCP 198.18.1.100:9000 -> 198.18.2.12:9000": [0, 0]])
    }

    /// A real whose reply lacks the entry attributes still reads: its entries unknown, not zero.
    func testARealWithoutEntryAttributesHasNoEntries() throws {
        let service = try XCTUnwrap(IPVSNetlink.services(from: try NetlinkMessage.split(RecordedNetlink.services)).last)
        let message = try XCTUnwrap(try NetlinkMessage.split(RecordedNetlink.destsHTTP).first)
        let dest = try XCTUnwrap(message.genlAttributes().first { $0.type == 2 })
        let stripped = NetlinkMessage.genl(family: message.type, command: 5, version: 1, flags: 0, sequence: 1,
                                           attributes: [.nest(2, try dest.children().filter { ![7, 8].contains($0.type) })])
        let real = try XCTUnwrap(IPVSNetlink.reals(from: try NetlinkMessage.split(stripped), of: service).first)
        XCTAssertEqual(real.counters.conns, 3)
        XCTAssertNil(real.activeEntries)
        XCTAssertNil(real.inactiveEntries)
    }

    func testGetDestRequestNestsTheServiceIdentity() throws {
        let service = try XCTUnwrap(IPVSNetlink.services(from: try NetlinkMessage.split(RecordedNetlink.services)).first)
        let request = NetlinkMessage.genl(family: 0x1c, command: 8, version: 1, flags: NetlinkMessage.request | NetlinkMessage.dump,
                                          sequence: 7, attributes: [.nest(1, service.identity)])
        let parsed = try XCTUnwrap(try NetlinkMessage.split(request).first)
        XCTAssertEqual(parsed.type, 0x1c)
        XCTAssertEqual(parsed.flags, 0x301)
        XCTAssertEqual(parsed.sequence, 7)
        XCTAssertEqual(Array(parsed.payload.prefix(2)), [8, 1], "command GET_DEST, version 1")
        let nest = try XCTUnwrap(parsed.genlAttributes().first)
        XCTAssertTrue(nest.nested)
        XCTAssertEqual(try nest.children(), service.identity)
    }

    func testErrorMessageCarriesErrno() throws {
        var payload: [UInt8] = [0xFE, 0xFF, 0xFF, 0xFF] // -2, ENOENT
        payload += NetlinkMessage(type: 0x10, flags: 1, sequence: 3, payload: []).bytes
        let message = try XCTUnwrap(try NetlinkMessage.split(NetlinkMessage(type: NetlinkMessage.error, flags: 0, sequence: 3,
                                                                             payload: payload).bytes).first)
        XCTAssertEqual(message.errorCode, -2)
    }

    /// Every truncation of a recorded reply either parses or throws `NetlinkError`: no read
    /// past the end, no trap.
    func testTruncatedRepliesThrowOrParse() throws {
        let service = try XCTUnwrap(IPVSNetlink.services(from: try NetlinkMessage.split(RecordedNetlink.services)).last)
        let full = RecordedNetlink.destsHTTP
        var thrown = 0
        for n in 0..<full.count {
            var cut = Array(full.prefix(n))
            // Keep the outer length honest so the damage is inside the attributes.
            if cut.count >= 16 { cut.replaceSubrange(0..<4, with: withUnsafeBytes(of: UInt32(cut.count).littleEndian, Array.init)) }
            do { _ = try IPVSNetlink.reals(from: try NetlinkMessage.split(cut), of: service) } catch is NetlinkError { thrown += 1 }
        }
        XCTAssertGreaterThan(thrown, full.count / 2, "most cuts break an attribute")
        XCTAssertThrowsError(try NetlinkMessage.split(Array(full.prefix(100)))) { XCTAssertTrue($0 is NetlinkError) }
    }
}

extension IPVSNetlinkTests {
    /// GET_CONFIG's reply, built as the kernel lays it out (three u32 attributes), becomes
    /// ipvsadm's timeout line, which the collector's parser reads.
    func testTimeoutLineFromGetConfigReply() throws {
        func u32(_ t: UInt16, _ v: UInt32) -> NetlinkAttribute {
            NetlinkAttribute(type: t, payload: withUnsafeBytes(of: v.littleEndian, Array.init))
        }
        let reply = NetlinkMessage.genl(family: 0x1c, command: 13, version: 1, flags: 0, sequence: 9,
                                        attributes: [u32(4, 900), u32(5, 120), u32(6, 300)])
        let line = try IPVSNetlink.timeoutLine(from: try NetlinkMessage.split(reply))
        XCTAssertEqual(line, "Timeout (tcp tcpfin udp): 900 120 300\n")
        XCTAssertEqual(try IPVSTimeoutListing.parse(line), try IPVSTimeoutListing.parse("Timeout (tcp tcpfin udp): 900 120 300"))
        let partial = NetlinkMessage.genl(family: 0x1c, command: 13, version: 1, flags: 0, sequence: 9, attributes: [u32(4, 900)])
        XCTAssertThrowsError(try IPVSNetlink.timeoutLine(from: try NetlinkMessage.split(partial)))
    }
}
