import Lab
import SystemKit
import Vocabulary
import XCTest

final class LabSpecTests: XCTestCase {
    func parse(mode: String = "nat", reals: Int = 4, scheduler: String = "wrr", weights: String? = nil,
               name: String? = nil, director: String = "auto") throws -> LabSpec {
        try LabSpec.validated(name: name, mode: LabMode(parsing: mode), reals: reals,
                              scheduler: Scheduler(parsing: scheduler), weights: weights.map(Weights.parseList),
                              persistence: nil, director: DirectorChoice(parsing: director))
    }

    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch let e as InvalidInput { return e.message } catch { return "\(error)" }
    }

    func testValidSpec() throws {
        let s = try parse(mode: "dr", weights: "5,5,1,1", name: "bench-1", director: "uml")
        XCTAssertEqual(s.mode, .dr)
        XCTAssertEqual(s.weights, [5, 5, 1, 1])
        XCTAssertEqual(s.director, .uml)
        XCTAssertEqual(try parse().weights, [1, 1, 1, 1])
    }

    func testBadInputNamesTheProblem() {
        XCTAssertEqual(message { try self.parse(mode: "bridge") }, "unknown mode 'bridge': use one of nat, dr, tun, mixed")
        XCTAssertTrue(message { try self.parse(scheduler: "fifo") }.hasPrefix("unknown scheduler 'fifo'"))
        XCTAssertEqual(message { try self.parse(weights: "1,2,3") }, "3 weights given for 4 reals: give one weight per real")
        XCTAssertEqual(message { try self.parse(weights: "1,1,1,70000") }, "weight 70000 is out of range: IPVS weights are 0 to 65535")
        XCTAssertEqual(message { try self.parse(reals: 0) }, "0 reals requested: a lab has 1 to 64 reals")
        XCTAssertEqual(message { try self.parse(reals: 65) }, "65 reals requested: a lab has 1 to 64 reals")
        XCTAssertTrue(message { try self.parse(name: "Has.Dots") }.hasPrefix("lab name 'Has.Dots' is not valid"))
        XCTAssertTrue(message { try self.parse(name: "much-too-long-name") }.hasPrefix("lab name"))
        XCTAssertTrue(message { try self.parse(director: "xen") }.hasPrefix("unknown director 'xen'"))
    }

    func testSpecRoundTripsThroughJSON() throws {
        let s = LabSpec(name: "x", mode: .mixed, reals: 3, scheduler: .sh, weights: [1, 0, 65535], persistence: 60, director: .uml)
        XCTAssertEqual(try JSONCoding.decode(LabSpec.self, from: JSONCoding.encode(s)), s)
    }
}
