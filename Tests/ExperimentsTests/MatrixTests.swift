import XCTest
import IPVSControl
@testable import Experiments
import Vocabulary

final class MatrixTests: XCTestCase {
    private func settings(modes: [LabMode], schedulers: [Scheduler], profiles: [String] = ["default"],
                          weightSets: [[Int]] = [[5, 5, 1, 1]]) -> RunSettings {
        RunSettings(modes: modes, schedulers: schedulers, profiles: profiles, reals: 4, weightSets: weightSets,
                    load: .http, connections: 8, rate: nil, duration: 2, warmup: 1, repeats: 1,
                    outDir: "results", name: "t")
    }

    func testDefaultMatrixIsTwelveCellsInThreeLabs() {
        let m = Matrix(settings(modes: [.nat, .dr, .tun], schedulers: [.rr, .wrr, .lc, .wlc]))
        XCTAssertEqual(m.count, 12)
        XCTAssertEqual(m.groups.map(\.mode), [.nat, .dr, .tun])
        XCTAssertEqual(m.groups[1].cells.map(\.scheduler), [.rr, .wrr, .lc, .wlc])
        XCTAssertTrue(m.groups.allSatisfy { g in g.cells.allSatisfy { $0.mode == g.mode } })
        XCTAssertEqual(Set(m.cells.map(\.id)).count, 12, "cell ids are unique")
    }

    func testProfilesChangeLeastOftenWithinAMode() {
        let m = Matrix(settings(modes: [.nat], schedulers: [.rr, .wrr], profiles: ["a", "b"],
                                weightSets: [[1, 1, 1, 1], [3, 1, 1, 1]]))
        XCTAssertEqual(m.count, 8)
        XCTAssertEqual(m.cells.map(\.profile), ["a", "a", "a", "a", "b", "b", "b", "b"])
        XCTAssertEqual(m.cells.map(\.scheduler), [.rr, .wrr, .rr, .wrr, .rr, .wrr, .rr, .wrr])
        XCTAssertEqual(m.cells[2].weights, [3, 1, 1, 1])
        XCTAssertEqual(m.cells[3].id, "nat-wrr-a-w3.1.1.1")
    }
}

final class AutoConnectionsTests: XCTestCase {
    func testConnectionsSplitExactlyByWeights() {
        XCTAssertEqual(RunSettings.autoConnections(weights: [5, 5, 1, 1]), 24)
        XCTAssertEqual(RunSettings.autoConnections(weights: [1, 1, 1, 1]), 16)
        XCTAssertEqual(RunSettings.autoConnections(weights: [3, 0, 1]), 16)
        XCTAssertEqual(RunSettings.autoConnections(weights: [2, 1, 1]), 24, "lcm(4, 3) = 12")
        XCTAssertEqual(RunSettings.autoConnections(weights: [1, 1, 1]), 18)
        XCTAssertEqual(RunSettings.autoConnections(weights: [1000, 1]), 64)
        let m = Matrix(RunSettings(modes: [.nat], schedulers: [.wrr], profiles: ["default"], reals: 4,
                                   weightSets: [[5, 5, 1, 1], [1, 1, 1, 1]], load: .http, connections: nil, rate: nil,
                                   duration: 2, warmup: 1, repeats: 1, outDir: "results", name: "t"))
        XCTAssertEqual(m.cells.map(\.connections), [24, 16])
    }
}
