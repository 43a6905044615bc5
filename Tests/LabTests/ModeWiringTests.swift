import Foundation
import IPVSControl
@testable import Lab
import SystemKit
import Vocabulary
import XCTest

/// The per-mode wiring table: every mode has a row that agrees with the mode's vocabulary,
/// and the plan of every mode and backend is exactly the one recorded before the table
/// replaced the per-mode branches in `Topology`.
final class ModeWiringTests: XCTestCase {
    /// FNV-1a 64 of each plan's JSON (`JSONCoding`, key-sorted), for spec `t`, 4 reals, prefix `px`.
    static let recorded: [String: UInt64] = [
        "nat-native": 17588621276280513028, "nat-uml": 11915396310612152423,
        "dr-native": 2950160936404944524, "dr-uml": 18201918434361468451,
        "tun-native": 8726491907035440583, "tun-uml": 16033686116786750336,
        "mixed-native": 4500752052475496674, "mixed-uml": 2499360360383104021,
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

    func testPlansOfEveryModeAndBackendAreUnchanged() throws {
        var seen: [String: UInt64] = [:]
        for mode in LabMode.allCases {
            for backend in DirectorBackend.allCases {
                let plan = Topology.plan(LabSpec(name: "t", mode: mode, reals: 4), backend: backend, prefix: "px")
                let json = try JSONCoding.encode(plan)
                let key = "\(mode.rawValue)-\(backend.rawValue)"
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
