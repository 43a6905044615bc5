import Balancing
import Foundation
import Lab
import SystemKit
import XCTest

/// Issue 11's HAProxy balancer against a real lab (the UML director): shares per weight,
/// counters per real, a live weight change, a reload that does not cut a connection in
/// flight, what the reals see as the client, and nothing left after `lab down`.
final class HAProxyLabTests: XCTestCase {
    static let name = "t-hap"

    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces)")
    }

    func testRefusedCombinationsExitTwoAndLeaveNothing() throws {
        // Only this prefix's namespaces: other labs on the host come and go meanwhile.
        let ours = { try LabEngine.listNamespaces().filter { $0.hasPrefix(LabEnvironment.prefix + "-") } }
        let before = try ours()
        for (extra, expected) in [(["--scheduler", "sh"], "balancer haproxy has no scheduler sh: use one of rr, wrr, lc, wlc"),
                                  (["--persistence", "60"], "balancer haproxy does not do persistence")] {
            let r = try LabCLI.run(["lab", "up", "--name", Self.name, "--balancer", "haproxy"] + extra)
            XCTAssertEqual(r.status, 2, "\(extra): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(expected), r.stderr)
            XCTAssertEqual(try ours(), before)
            XCTAssertFalse(FileManager.default.fileExists(atPath: LabEnvironment.labDirectory(Self.name)))
        }
    }

    /// In dr, tun and mixed too the proxy serves the VIP per weight, and every real sees the
    /// director's address: forwarding methods mean nothing to a proxy.
    func testOtherModesServeTheVIPPerWeightFromTheDirectorsAddress() throws {
        for (mode, weights) in [("dr", [3, 1]), ("tun", [3, 1]), ("mixed", [2, 1, 1])] {
            let name = "t-hap-\(mode)"
            defer {
                let r = try? LabCLI.run(["lab", "down", "--name", name])
                XCTAssertEqual(r?.status, 0, "lab down: \(r?.stderr ?? "")")
                XCTAssertEqual(LabTests.leftovers().filter { $0.contains(name) }, [], "left behind by lab \(name)")
            }
            let lab = try LabCLI.up(["--name", name, "--mode", mode, "--reals", "\(weights.count)", "--scheduler", "wrr",
                                     "--weights", weights.map(String.init).joined(separator: ","), "--balancer", "haproxy"])
            let tally = try lab.httpRequests(40)
            XCTAssertEqual(tally.ok, 40, mode)
            let total = Double(weights.reduce(0, +))
            for (i, w) in weights.enumerated() {
                XCTAssertEqual(tally.share("real\(i + 1)"), Double(w) / total, accuracy: 0.02, "\(mode) real\(i + 1)")
            }
            try assertRealsSeeTheDirector(lab)
        }
    }

    /// A native director (a namespace of the host): the lab records HAProxy's master by pid,
    /// since deleting a namespace ends no process, and `lab down` ends it and its workers.
    func testNativeDirectorRecordsTheMasterAndLabDownEndsIt() throws {
        let name = "t-hap-native"
        let lab = try LabCLI.up(["--name", name, "--director", "native", "--mode", "nat", "--reals", "2",
                                 "--scheduler", "wrr", "--weights", "3,1", "--balancer", "haproxy"])
        var marker = ""
        defer {
            let r = try? LabCLI.run(["lab", "down", "--name", name])
            XCTAssertEqual(r?.status, 0, "lab down: \(r?.stderr ?? "")")
            XCTAssertEqual(LabTests.leftovers().filter { $0.contains(name) }, [], "left behind by lab \(name)")
            let alive = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
                .filter { !marker.isEmpty && DetachedProcess.isAlive($0) && DetachedProcess.matches($0, marker: marker) }
            XCTAssertEqual(alive, [], "HAProxy processes of lab \(name) after lab down")
        }
        let record = try XCTUnwrap(lab.state.processes.first { $0.label == "haproxy director" })
        marker = record.marker
        XCTAssertTrue(marker.hasPrefix(lab.state.labDirectory + "/"), marker)
        XCTAssertTrue(DetachedProcess.isAlive(record.pid))
        XCTAssertTrue(DetachedProcess.matches(record.pid, marker: marker))
        let tally = try lab.httpRequests(20)
        XCTAssertEqual(tally.ok, 20)
        XCTAssertEqual(tally.share("real1"), 0.75, accuracy: 0.02)
        try assertRealsSeeTheDirector(lab)
    }

    /// Holds one responder connection and checks that the real serving it sees a director address.
    func assertRealsSeeTheDirector(_ lab: RunningLab, file: StaticString = #filePath, line: UInt = #line) throws {
        let held = try lab.openResponderConnection()
        defer { held.close() }
        XCTAssertNotNil(LabTests.request(on: held), file: file, line: line)
        var peers: [String] = []
        for real in lab.reals {
            let ss = try real.check(["ss", "-tnH", "state", "established", "( sport = :\(lab.state.tcpPort) )"])
            peers += ss.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").last?.split(separator: ":").first.map(String.init) }
        }
        let directorAddresses = lab.state.node(named: "director")!.addresses.map { String($0.split(separator: "/")[0]) }
        XCTAssertEqual(peers.count, 1, "one connection held: \(peers)", file: file, line: line)
        XCTAssertTrue(peers.allSatisfy(directorAddresses.contains), "reals see \(peers), the director has \(directorAddresses)",
                      file: file, line: line)
    }

    func testNATWeightedRoundRobinCountersAndLiveChanges() throws {
        defer {
            let r = try? LabCLI.run(["lab", "down", "--name", Self.name])
            XCTAssertEqual(r?.status, 0, "lab down: \(r?.stderr ?? "")")
            XCTAssertEqual(LabTests.leftovers().filter { $0.contains(Self.name) }, [], "left behind by lab \(Self.name)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: LabEnvironment.labDirectory(Self.name)))
        }
        let lab = try LabCLI.up(["--name", Self.name, "--mode", "nat", "--reals", "4", "--scheduler", "wrr",
                                 "--weights", "5,5,1,1", "--balancer", "haproxy"])
        let http = VirtualService(address: lab.vip, port: lab.state.httpPort)
        XCTAssertEqual(try lab.listing().map(\.scheduler), [.wrr, .wrr])
        XCTAssertEqual(try lab.listing().first?.reals.map(\.weight), [5, 5, 1, 1])

        // wrr 5,5,1,1: 48 new connections, shares per weight from the answers and from
        // HAProxy's counters (sessions per server), which agree real by real.
        let before = try XCTUnwrap(lab.stats().service(http))
        let tally = try lab.httpRequests(48)
        let after = try XCTUnwrap(lab.stats().service(http))
        XCTAssertEqual(tally.ok, 48)
        for (i, expected) in [5.0 / 12, 5.0 / 12, 1.0 / 12, 1.0 / 12].enumerated() {
            let name = "real\(i + 1)", address = lab.state.reals[i].address
            XCTAssertEqual(tally.share(name), expected, accuracy: 0.02, "\(name) responses")
            let was = try XCTUnwrap(before.reals.first { $0.address == address }).counters
            let now = try XCTUnwrap(after.reals.first { $0.address == address }).counters
            XCTAssertEqual(Int((now - was).conns), tally.perReal[name, default: 0], "\(name) counted by HAProxy")
            XCTAssertGreaterThan((now - was).inBytes, 0)
            XCTAssertGreaterThan((now - was).outBytes, 0)
            XCTAssertEqual(now.inPackets + now.outPackets, 0, "a proxy does not see packets")
        }
        XCTAssertEqual((after.counters - before.counters).conns, 48, "the frontend's sessions")

        // The reals see the director's address, not the client's: HAProxy opens its own connection.
        try assertRealsSeeTheDirector(lab)
        let held = try lab.openResponderConnection()
        defer { held.close() }
        XCTAssertNotNil(LabTests.request(on: held))

        // A reload (scheduler change) does not cut the connection in flight.
        let set = try LabCLI.run(["lab", "set", "--name", Self.name, "--scheduler", "wlc"])
        XCTAssertEqual(set.status, 0, set.stderr)
        XCTAssertEqual(try lab.listing().map(\.scheduler), [.wlc, .wlc])
        XCTAssertNotNil(LabTests.request(on: held), "the connection made before the reload still answers")

        // A live weight change through the runtime API: weight 0 takes no new connections.
        let drain = try LabCLI.run(["lab", "set", "--name", Self.name, "--scheduler", "wrr", "--weights", "0,5,1,1"])
        XCTAssertEqual(drain.status, 0, drain.stderr)
        XCTAssertEqual(try lab.listing().first?.reals.map(\.weight), [0, 5, 1, 1])
        let drained = try lab.httpRequests(21)
        XCTAssertEqual(drained.ok, 21)
        XCTAssertEqual(drained.perReal["real1", default: 0], 0)
        XCTAssertEqual(drained.share("real2"), 5.0 / 7, accuracy: 0.02)
        let one = try LabCLI.run(["lab", "set", "--name", Self.name, "--real", "1", "--weight", "5"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertEqual(try lab.listing().first?.reals.map(\.weight), [5, 5, 1, 1])
        XCTAssertEqual(try lab.httpRequests(24).share("real1"), 5.0 / 12, accuracy: 0.02)
    }
}
