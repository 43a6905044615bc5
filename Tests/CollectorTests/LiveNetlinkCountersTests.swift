import Foundation
import IPVSControl
import Lab
import SystemKit
import TestSupport
import XCTest
@testable import Collector

/// The guest agent's per-real counters (IPVS netlink, no process in the guest) against
/// `ipvsadm -Ln --stats --exact` on a live UML lab: the same keys and, once traffic has
/// stopped and IPVS has folded its per-CPU counters (every 2 s), the same values.
final class LiveNetlinkCountersTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
    }

    func testAgentNetlinkCountersEqualIpvsadmAfterTraffic() throws {
        let binary = BuiltBinary.lvsbench
        var env = ProcessInfo.processInfo.environment
        env["LVSBENCH_EXE"] = binary
        let name = "nlcount"
        defer { _ = try? ProcessRunner.run([binary, "lab", "down", "--name", name], timeout: 120, environment: env) }
        let up = try ProcessRunner.run([binary, "lab", "up", "--name", name, "--mode", "nat", "--reals", "2",
                                        "--director", "uml", "--scheduler", "wrr", "--weights", "3,1"],
                                       timeout: 240, environment: env)
        guard up.succeeded else { return XCTFail("lab up: \(up.stderr)") }
        setenv("LVSBENCH_EXE", binary, 1)
        let lab = RunningLab(state: try LabStore.load(name))
        let guest = try XCTUnwrap(lab.director as? GuestNode, "a uml lab's director is a guest")

        // `lab up`'s own readiness requests are counted too: count from here, once IPVS
        // has folded them into its totals (every 2 s).
        Thread.sleep(forTimeInterval: 3)
        let before = try guest.readFilesAndIPVSReals([]).reals.keyed
        let count = 40
        let r = try lab.client.run(["curl", "-s", "-m", "5", "-H", "Connection: close", "http://\(lab.vip)/?n=[1-\(count)]"],
                                   timeout: 120)
        XCTAssertEqual(r.stdout.split(separator: "\n").filter { $0.hasPrefix("real") }.count, count)
        Thread.sleep(forTimeInterval: 3)

        let (files, readings) = try guest.readFilesAndIPVSReals(["/proc/net/ip_vs_stats"])
        let reals = readings.keyed
        XCTAssertNotNil(files["/proc/net/ip_vs_stats"], "the files still come with the counters")
        let listing = try IPVSStatsListing.realCounters(parsing: try guest.check(["ipvsadm", "-Ln", "--stats", "--exact"]).stdout).keyed
        XCTAssertEqual(reals.count, 4, "2 services x 2 reals: \(reals.keys.sorted())")
        XCTAssertEqual(reals, listing)
        let http = reals.filter { $0.key.hasPrefix("TCP \(lab.vip):\(lab.state.httpPort) ") }
        let added = http.map { $0.value.conns - (before[$0.key]?.conns ?? 0) }
        XCTAssertEqual(added.reduce(0, +), UInt64(count), "every connection counted once")
        XCTAssertEqual(added.sorted(), [UInt64(count / 4), UInt64(3 * count / 4)], "wrr 3:1")
        XCTAssertTrue(http.values.allSatisfy { $0.outPackets > 0 }, "NAT: replies cross the director")

        // The collector takes the netlink path on a uml director, the occasional part too:
        // the connection table and timeouts equal what the `sh`/`awk`/`ipvsadm` process gives.
        let parser: RealCountersParser = { try IPVSStatsListing.realCounters(parsing: $0) }
        let sample = NodeReading.read(guest, realCounters: parser, occasional: true)
        XCTAssertEqual(sample.errors, [])
        XCTAssertEqual(sample.ipvs?.reals.keyed, listing)
        let viaProcess = NodeReading.sections(try guest.check(NodeReading.occasionalArgv).stdout)
        XCTAssertEqual(sample.ipvs?.connections, try IPVSConnTable(parsingSummary: try XCTUnwrap(viaProcess[NodeReading.connSummary])))
        XCTAssertEqual(sample.ipvs?.timeouts, try IPVSTimeoutListing.parse(try XCTUnwrap(viaProcess[NodeReading.timeoutSection])))
        XCTAssertGreaterThanOrEqual(sample.ipvs?.connections?.total ?? 0, count, "the closed connections wait in TIME_WAIT")
    }
}
