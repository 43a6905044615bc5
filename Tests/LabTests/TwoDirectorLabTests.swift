import Foundation
import IPVSControl
import Lab
import SystemKit
import TestSupport
import Vocabulary
import XCTest

/// A real lab with a standby director2 (two user-mode Linux guests on the same bridges):
/// both carry the same IPVS services, the VIP moved by hand from director1 to director2 is
/// served again through director2, and `lab down` (or `down --all` after a crash) leaves
/// neither guest behind. Under a prefix and run directory of its own.
final class TwoDirectorLabTests: XCTestCase {
    static let prefix = TestPrefix.named("Dd")
    static let runDirectory = LabEnvironment.runDirectory + "-" + prefix
    var env: [String: String] {
        ["LVSBENCH_PREFIX": Self.prefix, "LVSBENCH_RUN_DIR": Self.runDirectory, "LVSBENCH_EXE": LabCLI.binary]
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        try XCTSkipUnless(ToolLocator.find("linux.uml") != nil, "needs user-mode-linux (the host kernel has no IPVS)")
    }

    override func tearDownWithError() throws {
        guard Privileges.isRoot else { return }
        _ = try? LabCLI.run(["lab", "down", "--all", "--force"], env: env)
        XCTAssertEqual(LabTests.leftovers(prefix: Self.prefix, runDirectory: Self.runDirectory), [])
        try? FileManager.default.removeItem(atPath: Self.runDirectory)
    }

    func statePath(_ name: String) -> String { Self.runDirectory + "/labs/\(name)/state.json" }

    func openLab(_ name: String) throws -> RunningLab {
        RunningLab(state: try JSONCoding.decode(LabState.self, from: Data(contentsOf: URL(fileURLWithPath: statePath(name)))))
    }

    /// Every service's connections summed, read 3 s after the traffic: the kernel's
    /// estimator folds per-CPU counters into what `ipvsadm` shows every 2 s.
    func connections(_ balancer: any Balancer) throws -> UInt64 {
        Thread.sleep(forTimeInterval: 3)
        return try balancer.counters().reduce(0) { $0 + $1.counters.conns }
    }

    func testStandbyDirectorServesTheVIPOnceMovedToIt() throws {
        let name = "fo"
        let started = Date()
        let up = try LabCLI.run(["lab", "up", "--name", name, "--mode", "dr", "--reals", "2", "--scheduler", "rr",
                                 "--director", "uml", "--directors", "2"], env: env)
        guard up.status == 0 else { return XCTFail("lab up --directors 2 exited \(up.status): \(up.stderr)") }
        print("lab up with 2 uml directors took \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        let lab = try openLab(name)
        let standby = try XCTUnwrap(lab.standby, "the state names no director2")
        let standbyBalancer = try XCTUnwrap(lab.standbyBalancer)
        let status = try LabCLI.run(["lab", "status", "--name", name], env: env)
        XCTAssertTrue(status.stdout.contains("director2"), status.stdout)

        // Both agents answer, and both directors list the same services and reals.
        for node in [lab.director, standby] {
            XCTAssertEqual(try node.run(["true"], timeout: 10).status, 0, node.name)
            let listing = try node.check(["ipvsadm", "-Ln"]).stdout
            for port in [lab.state.httpPort, lab.state.tcpPort] {
                XCTAssertTrue(listing.contains("TCP  \(lab.vip):\(port)"), "\(node.name): \(listing)")
                for real in lab.state.reals { XCTAssertTrue(listing.contains("\(real.address):\(port)"), "\(node.name): \(listing)") }
            }
        }
        XCTAssertEqual(try standbyBalancer.services(), try lab.listing())
        let onDirector2 = try standby.check(["ip", "-4", "-o", "addr", "show"]).stdout
        XCTAssertFalse(onDirector2.contains(lab.vip), "director2 holds the VIP before it is moved: \(onDirector2)")

        // Through director1.
        var active = try connections(lab.balancer), passive = try connections(standbyBalancer)
        let before = try lab.httpRequests(20)
        XCTAssertEqual(before.ok, 20, "HTTP through director1")
        XCTAssertEqual(Set(before.perReal.keys), ["real1", "real2"])
        XCTAssertGreaterThanOrEqual(try connections(lab.balancer) - active, 20, "director1 scheduled them")
        XCTAssertEqual(try connections(standbyBalancer), passive, "director2 saw none of them")

        // Move the VIP by hand: off director1's LAN interface, onto director2's, and tell the
        // router (gratuitous ARP where the guest has arping, else forget the old neighbour).
        let plan = Topology.plan(lab.state.spec, directorHost: .uml, prefix: Self.prefix)
        let lan = try XCTUnwrap(plan.node("director")?.interfaces.first { $0.addresses.contains("\(lab.vip)/32") }?.name)
        XCTAssertEqual(plan.node("director2")?.interfaces.first { $0.name == lan }?.addresses, ["198.18.2.3/24"])
        _ = try lab.director.check(["ip", "addr", "del", "\(lab.vip)/32", "dev", lan])
        _ = try standby.check(["ip", "addr", "add", "\(lab.vip)/32", "dev", lan])
        if try standby.run(["sh", "-c", "command -v arping"], timeout: 10).succeeded {
            _ = try standby.check(["arping", "-U", "-c", "2", "-I", lan, lab.vip], timeout: 20)
        } else {
            _ = try lab.router.check(["ip", "neigh", "flush", "to", lab.vip])
        }
        active = try connections(lab.balancer)
        passive = try connections(standbyBalancer)
        let after = try lab.httpRequests(20)
        XCTAssertEqual(after.ok, 20, "HTTP through director2 after the move")
        XCTAssertEqual(Set(after.perReal.keys), ["real1", "real2"])
        XCTAssertGreaterThanOrEqual(try connections(standbyBalancer) - passive, 20, "director2 scheduled them")
        XCTAssertEqual(try connections(lab.balancer), active, "director1 saw none of them")
        let mac = try standby.check(["cat", "/sys/class/net/\(lan)/address"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let neighbour = try lab.router.check(["ip", "neigh", "show", lab.vip]).stdout
        XCTAssertTrue(neighbour.contains(mac), "the router reaches the VIP at director2's \(mac): \(neighbour)")

        // Down: both guests, every namespace and the lab's directory gone.
        let guests = lab.state.processes.filter { $0.label.hasPrefix("uml ") }
        XCTAssertEqual(guests.map(\.label), ["uml director", "uml director2"])
        let down = try LabCLI.run(["lab", "down", "--name", name], env: env)
        XCTAssertEqual(down.status, 0, down.stderr)
        for guest in guests { XCTAssertFalse(DetachedProcess.isAlive(guest.pid), "\(guest.label) pid \(guest.pid) still runs") }
        XCTAssertEqual(LabTests.leftovers(prefix: Self.prefix, runDirectory: Self.runDirectory), [])
    }

    /// `lab up` killed while both guests boot, its state then unreadable: `down --all` finds
    /// both guests by their umids and removes everything.
    func testDownAllAfterACrashStopsBothGuests() throws {
        let name = "crash"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LabCLI.binary)
        process.arguments = ["lab", "up", "--name", name, "--mode", "nat", "--reals", "1", "--director", "uml", "--directors", "2"]
        process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var guests: [ProcessRecord] = []
        let deadline = Date().addingTimeInterval(60)
        while guests.count < 2 && Date() < deadline {
            usleep(20_000)
            guard let data = FileManager.default.contents(atPath: statePath(name)),
                  let state = try? JSONCoding.decode(LabState.self, from: data) else { continue }
            guests = state.processes.filter { $0.label.hasPrefix("uml ") && $0.pid > 0 }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(guests.map(\.label), ["uml director", "uml director2"], "lab up did not start both guests within 60 s")
        XCTAssertTrue(guests.allSatisfy { DetachedProcess.isAlive($0.pid) }, "the guests outlive a killed lab up")
        try AtomicFile.write("{}", to: statePath(name))

        let down = try LabCLI.run(["lab", "down", "--all"], env: env)
        XCTAssertEqual(down.status, 1, "an unreadable state is reported: \(down.stderr)")
        XCTAssertTrue(down.stderr.contains("nothing else of it can be found"), down.stderr)
        for guest in guests { XCTAssertFalse(DetachedProcess.isAlive(guest.pid), "\(guest.label) pid \(guest.pid) still runs") }
        XCTAssertEqual(LabTests.leftovers(prefix: Self.prefix, runDirectory: Self.runDirectory), [])
    }
}
