import ArgumentParser
import SystemKit
import XCTest
@testable import Vocabulary

/// The shared terms parse what users type, reject the rest with one line naming the
/// choices, and keep their raw values as their JSON form.
final class VocabularyTests: XCTestCase {
    func testNamesParseInAnyCase() throws {
        XCTAssertEqual(try LabMode(parsing: " DR "), .dr)
        XCTAssertEqual(try Scheduler(parsing: "WRR"), .wrr)
        XCTAssertEqual(try LoadKind(parsing: "tcp-crr"), .tcpCRR)
        XCTAssertEqual(try DirectorChoice(parsing: "UML"), .uml)
        XCTAssertEqual(LabMode(argument: "mixed"), .mixed)
        XCTAssertNil(Scheduler(argument: "fifo"))
    }

    func testUnknownNamesSayWhatToUse() {
        let cases: [(() throws -> Void, String)] = [
            ({ _ = try LabMode(parsing: "bridge") }, "unknown mode 'bridge': use one of nat, dr, tun, mixed"),
            ({ _ = try Scheduler(parsing: "fifo") }, "unknown scheduler 'fifo': use one of rr, wrr, lc, wlc, sh, dh, sed, nq, lblc, lblcr, mh, fo, ovf"),
            ({ _ = try LoadKind(parsing: "udp") }, "unknown load 'udp': use one of http, http-close, tcp-rr, tcp-crr"),
            ({ _ = try DirectorChoice(parsing: "xen") }, "unknown director 'xen': use auto, native or uml"),
        ]
        for (parse, message) in cases {
            XCTAssertThrowsError(try parse()) { error in
                XCTAssertEqual(error as? InvalidInput, InvalidInput(message))
                XCTAssertEqual((error as? InvalidInput)?.exitStatus, .usage)
            }
        }
    }

    func testJSONIsTheRawValue() throws {
        let data = try JSONEncoder().encode([LoadKind.httpClose, .tcpRR])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"["http-close","tcp-rr"]"#)
        XCTAssertEqual(try JSONDecoder().decode([LabMode].self, from: Data(#"["mixed"]"#.utf8)), [.mixed])
    }

    func testMixedForwardsRoundRobinAndTwoArmedModes() {
        XCTAssertEqual((1...4).map(LabMode.mixed.forwarding(ofReal:)), [.nat, .dr, .tun, .nat])
        XCTAssertEqual(LabMode.allCases.filter(\.twoArmed), [.nat, .mixed])
    }

    func testWeights() throws {
        XCTAssertEqual(try Weights.fitted(Weights.parseList("5, 5,1,0"), reals: 4), [5, 5, 1, 0])
        XCTAssertEqual(try Weights.fitted(nil, reals: 3), [1, 1, 1])
        XCTAssertEqual(try Weights.fitted(Weights.parseList(""), reals: 2), [1, 1])
        let bad: [(String, String)] = [
            ("5,1", "2 weights given for 4 reals: give one weight per real"),
            ("1,1,1,70000", "weight 70000 is out of range: IPVS weights are 0 to 65535"),
            ("-1,1,1,1", "weight -1 is out of range: IPVS weights are 0 to 65535"),
            ("1,1,1,99999999999999999999", "weight 99999999999999999999 is out of range: IPVS weights are 0 to 65535"),
            ("1,x,1,1", "weight 'x' is not a whole number: give weights like 5,5,1,1"),
            ("1,,1,1", "weight '' is not a whole number: give weights like 5,5,1,1"),
        ]
        for (text, message) in bad {
            XCTAssertThrowsError(try Weights.fitted(Weights.parseList(text), reals: 4), text) { XCTAssertEqual("\($0)", message) }
        }
    }

    func testListsRejectEmptyEntriesAndDropRepeats() throws {
        XCTAssertEqual(try ListOption.parse("dr, nat,dr", option: "--mode", LabMode.init(parsing:)), [.dr, .nat])
        for text in ["", "rr,,wrr", "rr,"] {
            XCTAssertThrowsError(try ListOption.parse(text, option: "--scheduler", Scheduler.init(parsing:)), text) {
                XCTAssertEqual("\($0)", "--scheduler '\(text)' has an empty entry: give a comma list such as rr,wrr")
            }
        }
    }
}
