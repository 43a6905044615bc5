import Foundation
import IPVSControl
@testable import Lab
import SystemKit
import Vocabulary
import XCTest

/// The per-mode wiring table: every mode has a row that agrees with the mode's vocabulary,
/// and the plan of every mode and director host is exactly the one recorded before the table
/// replaced the per-mode branches in `Topology` (re-recorded once when the plan's `backend`
/// field was renamed `directorHost`, after checking that the old key gave the old hashes, and
/// again when the client gained `tcp_tw_reuse=1`, its only difference).
final class ModeWiringTests: XCTestCase {
    /// FNV-1a 64 of each plan's JSON (`JSONCoding`, key-sorted), for spec `t`, 4 reals, prefix `px`.
    static let recorded: [String: UInt64] = [
        "nat-native": 10743666407366928951, "nat-uml": 2684803018327268662,
        "dr-native": 14339685124529012189, "dr-uml": 17000289224530600906,
        "tun-native": 8752144962382701832, "tun-uml": 581836440670036387,
        "mixed-native": 4183739640758156349, "mixed-uml": 16995422681880436728,
    ]

    func testEveryModeHasARowThatAgreesWithTheMode() {
        for mode in LabMode.allCases {
            let row = ModeWiring.row(for: mode)
            XCTAssertEqual(row.director == .outsideAndInside, mode.twoArmed, "\(mode)")
            XCTAssertEqual(row.vip, Topology.vip(for: mode), "\(mode)")
            for k in 1...6 {
                XCTAssertNotNil(row.gateways[mode.forwarding(ofReal: k)], "\(mode) real\(k)")
            }
        }
    }

    func testPlansOfEveryModeAndDirectorHostAreUnchanged() throws {
        var seen: [String: UInt64] = [:]
        for mode in LabMode.allCases {
            for directorHost in DirectorHost.allCases {
                let plan = Topology.plan(LabSpec(name: "t", mode: mode, reals: 4), directorHost: directorHost, prefix: "px")
                let json = try JSONCoding.encode(plan)
                let key = "\(mode.rawValue)-\(directorHost.rawValue)"
                seen[key] = Self.fnv1a(json)
                XCTAssertEqual(seen[key], Self.recorded[key],
                               "\(key) plan changed; it is now:\n\(String(decoding: json, as: UTF8.self))")
            }
        }
        XCTAssertEqual(seen.count, Self.recorded.count, "recorded: \(seen)")
    }

    static func fnv1a(_ data: Data) -> UInt64 {
        data.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }
}
