import Balancing
import Foundation
@testable import Lab
import XCTest

/// The reals' connection entries cross the agent's protocol next to their counters (which
/// are keyed without them), and an older agent's reply, without entries, leaves them unknown.
final class GuestAgentEntriesTests: XCTestCase {
    static let reals = [
        RealReading(proto: "TCP", service: VirtualService(address: "198.18.1.100", port: 80), address: "198.18.2.11", port: 80,
                    counters: BalancerCounters(conns: 6, inPackets: 30, outPackets: 30, inBytes: 2202, outBytes: 2706),
                    activeEntries: 2, inactiveEntries: 4),
        RealReading(proto: "TCP", service: VirtualService(address: "198.18.1.100", port: 9000), address: "198.18.2.11", port: 9000,
                    counters: BalancerCounters(conns: 0, inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0),
                    activeEntries: 0, inactiveEntries: 0),
    ]

    func testEntriesSurviveTheResponsesJSON() throws {
        var response = GuestAgent.Response(status: 0, stdout: "", stderr: "", files: [:])
        response.reals = Self.reals.keyed
        response.realEntries = GuestAgent.entries(of: Self.reals)
        let decoded = try JSONDecoder().decode(GuestAgent.Response.self, from: try JSONEncoder().encode(response))
        let reals = try XCTUnwrap([RealReading](keyed: try XCTUnwrap(decoded.reals)))
        XCTAssertEqual(GuestAgent.withEntries(reals, decoded.realEntries).sorted { $0.key < $1.key }, Self.reals.sorted { $0.key < $1.key })
    }

    func testAnOlderAgentsReplyLeavesTheEntriesUnknown() throws {
        let line = #"{"status":0,"stdout":"","stderr":"","files":{},"reals":{"TCP 198.18.1.100:80 -> 198.18.2.11:80":"#
            + #"{"conns":6,"inPackets":30,"outPackets":30,"inBytes":2202,"outBytes":2706}}}"#
        let decoded = try JSONDecoder().decode(GuestAgent.Response.self, from: Data(line.utf8))
        XCTAssertNil(decoded.realEntries)
        let reals = GuestAgent.withEntries(try XCTUnwrap([RealReading](keyed: try XCTUnwrap(decoded.reals))), decoded.realEntries)
        XCTAssertEqual(reals.map(\.counters.conns), [6])
        XCTAssertEqual(reals.map(\.activeEntries), [nil])
    }
}
