import Foundation
import Lab
import SystemKit
import XCTest
@testable import Collector

/// A node that is this host itself, so the sampler can be tested without root or a lab.
struct HostNode: LabNode {
    var name = "host"
    var role = NodeRole.client
    func run(_ argv: [String], timeout: Double?) throws -> ProcessResult { try ProcessRunner.run(argv, timeout: timeout) }
    func readFile(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
    func wrap(_ argv: [String]) -> [String] { argv }
}

final class CollectorTests: XCTestCase {
    func testRefusesIntervalsFasterThan10Hz() {
        XCTAssertThrowsError(try Collector(nodes: [HostNode()], interval: 0.05)) { XCTAssertTrue($0 is InvalidInput) }
        XCTAssertThrowsError(try Collector(nodes: [], interval: 1)) { XCTAssertTrue($0 is InvalidInput) }
        XCTAssertNoThrow(try Collector(nodes: [HostNode()], interval: 0.1))
    }

    func testSamplesTheHostUntilStopped() throws {
        let collector = try Collector(nodes: [HostNode(), HostNode(name: "host2", role: .real)], interval: 0.1)
        collector.start()
        while collector.sampleCount < 3 { usleep(20_000) }
        let series = collector.stop()
        XCTAssertGreaterThanOrEqual(series.samples.count, 3)
        XCTAssertEqual(series.samples.map(\.elapsed), series.samples.map(\.elapsed).sorted())
        for sample in series.samples {
            XCTAssertEqual(sample.nodes.map(\.node), ["host", "host2"])
            for node in sample.nodes {
                XCTAssertEqual(node.errors, [])
                XCTAssertNotNil(node.cpu)
                XCTAssertNotNil(node.counters["Tcp.ActiveOpens"])
                XCTAssertNil(node.ipvs)
            }
        }
        let rates = series.rates
        XCTAssertEqual(rates.count, series.samples.count - 1)
        XCTAssertNotNil(rates.first?.nodes["host"]?["cpu.total"])
        XCTAssertEqual(collector.stop().samples.count, series.samples.count, "stop() twice returns the same series")
    }
}
