import Foundation
import IPVSControl
import Lab
import Results
import SystemKit
import TestSupport
import XCTest
@testable import Scenarios

/// The scenarios' director probe on a live UML lab: what the agent answers (IPVS netlink,
/// the table counted in the agent, no process in the guest) is the same sample as the
/// namespace director's `ipvsadm`/`awk` listings give in the same guest, once traffic has
/// stopped. Needs root.
final class LiveDirectorProbeTests: LiveCLITestCase {
    override class var prefix: String { TestPrefix.named("Dp") }

    func testAgentSampleEqualsTheListingsSample() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        // The lab is read in this process too, as the class's prefix (which is derived
        // from LVSBENCH_PREFIX, so it is taken first and the variables are put back).
        let prefix = Self.prefix
        let env = CLI.environment(prefix: prefix)
        let keys = ["LVSBENCH_PREFIX", "LVSBENCH_RUN_DIR", "LVSBENCH_EXE"]
        let saved = keys.map { ProcessInfo.processInfo.environment[$0] }
        defer {
            for (key, value) in zip(keys, saved) {
                if let value { setenv(key, value, 1) } else { unsetenv(key) }
            }
        }
        for key in keys.prefix(2) { setenv(key, env[key]!, 1) }
        setenv("LVSBENCH_EXE", CLI.path, 1)
        let up = try CLI.run(["lab", "up", "--name", "probe", "--mode", "nat", "--reals", "2", "--director", "uml"],
                             prefix: prefix, timeout: 240)
        guard up.succeeded else { return XCTFail("lab up: \(up.stderr)") }
        let lab = RunningLab(state: try LabStore.load("probe"))
        XCTAssertNotNil(lab.director.ipvsAgent, "a uml lab's director answers through its agent")
        let count = 30
        let r = try lab.client.run(["curl", "-s", "-m", "5", "-H", "Connection: close", "http://\(lab.vip)/?n=[1-\(count)]"],
                                   timeout: 120)
        XCTAssertEqual(r.stdout.split(separator: "\n").filter { $0.hasPrefix("real") }.count, count)
        // IPVS folds its per-CPU counters every 2 s; the closed connections then wait in
        // TIME_WAIT (2 min), so the table holds still while both are read.
        Thread.sleep(forTimeInterval: 3)

        let probe = DirectorProbe(director: lab.director, readsTable: true)
        let viaAgent = try probe.sample(at: 1)
        let viaListings = try DirectorProbe.parse(try lab.director.check(probe.command, timeout: 10).stdout, t: 1)
        XCTAssertEqual(viaAgent, viaListings)
        XCTAssertEqual(viaAgent.reals.count, 2, "\(viaAgent.reals)")
        let scheduled = viaAgent.reals.values.reduce(UInt64(0)) { $0 + ($1.scheduled ?? 0) }
        XCTAssertGreaterThanOrEqual(scheduled, UInt64(count), "every request scheduled (and lab up's own checks)")
        let inactive = viaAgent.reals.values.reduce(UInt64(0)) { $0 + ($1.inactive ?? 0) }
        XCTAssertGreaterThanOrEqual(inactive, UInt64(count), "the closed connections wait as inactive entries")
        XCTAssertGreaterThanOrEqual(viaAgent.gauges["table_entries"] ?? 0, Double(count))

        let untabled = try DirectorProbe(director: lab.director, readsTable: false).sample(at: 2)
        XCTAssertNil(untabled.gauges["table_entries"])
        XCTAssertEqual(untabled.reals.mapValues(\.scheduled), viaAgent.reals.mapValues(\.scheduled))
        let down = try CLI.run(["lab", "down", "--name", "probe"], prefix: prefix, timeout: 120)
        XCTAssertEqual(down.status, 0, down.stderr)
    }
}
