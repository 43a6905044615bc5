import Balancing
import Foundation
import Keepalived
import Lab
import SystemKit
import TestSupport
import XCTest

/// keepalived health-checking the reals of a real lab from inside its UML director, editing
/// the director's IPVS itself: a crashed real and a real whose link is cut leave the listing
/// within seconds and come back when they recover; keepalived ends, and `lab down` leaves
/// nothing on the host.
///
/// The lab has a prefix and run directory of its own (`TestPrefix`), set in this process's
/// environment for the test only: the leftover check then finds no process that merely
/// inherited the caller's run directory (this one, the `swift test` above it).
final class KeepalivedLabTests: XCTestCase {
    static let name = "t-kad"
    static let prefix = TestPrefix.named("Kd")
    static let runDirectory = "/run/lvsbench-\(prefix)"
    static let environment = ["LVSBENCH_PREFIX": prefix, "LVSBENCH_RUN_DIR": runDirectory, "LVSBENCH_EXE": BuiltBinary.lvsbench]
    var saved: [String: String?] = [:]

    /// Runs the CLI with the test's lab environment.
    static func cli(_ args: [String]) throws -> ProcessResult {
        try ProcessRunner.run([BuiltBinary.lvsbench] + args, timeout: 180,
                              environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces)")
        try XCTSkipUnless(ToolLocator.find("linux.uml") != nil, "needs user-mode-linux (the host kernel has no IPVS)")
        try XCTSkipUnless(ToolLocator.find("keepalived") != nil, "needs keepalived (scripts/setup.sh installs it)")
        for (key, value) in Self.environment {
            saved[key] = ProcessInfo.processInfo.environment[key]
            setenv(key, value, 1)
        }
    }

    override func tearDown() {
        for (key, value) in saved {
            if let value { setenv(key, value, 1) } else { unsetenv(key) }
        }
        // Only once the lab is gone: `lab down --all` must still find one that failed to go.
        if ((try? FileManager.default.contentsOfDirectory(atPath: Self.runDirectory + "/labs")) ?? []).isEmpty {
            try? FileManager.default.removeItem(atPath: Self.runDirectory)
        }
    }

    func testHealthChecksTakeFailedRealsOutAndPutThemBack() throws {
        let host = HostLeftovers(prefix: Self.prefix, runDirectory: Self.runDirectory)
        let down = { try Self.cli(["lab", "down", "--name", Self.name]) }
        defer {
            let r = try? down()
            XCTAssertEqual(r?.status, 0, "lab down: \(r?.stderr ?? "")")
            XCTAssertEqual(host.find(), [], "left behind by lab \(Self.name)")
        }
        let lab = try Self.up(["--name", Self.name, "--director", "uml", "--mode", "nat", "--reals", "3", "--scheduler", "wrr"])
        let installed = try lab.listing()
        XCTAssertEqual(installed.count, 2)
        for spec in installed { try lab.balancer.remove(spec.service) }
        XCTAssertEqual(try lab.listing(), [])

        let timing = KeepalivedVirtualServer.Timing(connectTimeout: 1, retry: 1, delayBeforeRetry: 1)
        let servers = try installed.map { spec in
            try KeepalivedVirtualServer(spec: spec, delayLoop: 1, check: spec.service.port == lab.state.httpPort
                                        ? .httpGet(path: "/", statusCode: 200, timing: timing) : .tcp(timing))
        }
        let daemon = try KeepalivedDaemon.start(KeepalivedConfig(routerID: "lvsbench-\(Self.name)", virtualServers: servers),
                                                on: lab.director, in: lab)
        var running = true
        defer { if running { try? daemon.stop() } }
        let all = Set(lab.state.reals.map(\.address))
        let first = try Self.waitUntil(lab, listsReals: all, within: 20)
        print("keepalived listed all 3 reals \(Self.format(first)) after it started")

        let faults: [(real: Int, fault: String, inject: () throws -> Void, recover: () throws -> Void)] = [
            (2, "servers killed", { try lab.stopServers(real: 2) }, { try lab.startServers(real: 2) }),
            (3, "link cut", { try lab.cutLink(real: 3) }, { try lab.restoreLink(real: 3) }),
        ]
        for f in faults {
            try f.inject()
            let out = try Self.waitUntil(lab, listsReals: all.subtracting([lab.state.reals[f.real - 1].address]), within: 15)
            print("real\(f.real) \(f.fault): out of IPVS after \(Self.format(out))")
            try f.recover()
            let back = try Self.waitUntil(lab, listsReals: all, within: 15)
            print("real\(f.real) recovered: back in IPVS after \(Self.format(back))")
        }

        try daemon.stop()
        running = false
        XCTAssertFalse(daemon.isRunning)
        // Ended with SIGTERM, keepalived removes the services it added.
        XCTAssertEqual(try lab.listing(), [])
    }

    /// A namespace director (nftables balances there: the host has no IPVS): keepalived runs
    /// as a process of the host, so the lab records it, and `lab down` ends it even when
    /// nobody stopped it. Its VRRP instance takes an address on the director's outside link,
    /// inside the director's namespace only.
    func testANamespaceDirectorsKeepalivedIsRecordedAndLabDownEndsIt() throws {
        try XCTSkipUnless(ToolLocator.find("nft") != nil, "needs nft for a namespace director")
        let name = "t-kan"
        let host = HostLeftovers(prefix: Self.prefix, runDirectory: Self.runDirectory)
        var daemon: KeepalivedDaemon?
        defer {
            let r = try? Self.cli(["lab", "down", "--name", name])
            XCTAssertEqual(r?.status, 0, "lab down: \(r?.stderr ?? "")")
            XCTAssertEqual(host.find(), [], "left behind by lab \(name)")
            if let daemon { XCTAssertFalse(daemon.isRunning, "keepalived \(daemon.pid) outlived lab down") }
        }
        let lab = try Self.up(["--name", name, "--director", "native", "--balancer", "nftables", "--mode", "nat",
                               "--reals", "1", "--scheduler", "rr"])
        let instance = VRRPInstance(name: "VI_LAB", state: .master, interface: "out0", virtualRouterID: 51, priority: 100,
                                    virtualAddresses: [.init(address: "198.18.1.200/24", device: "out0")])
        let config = KeepalivedConfig(routerID: "lvsbench-\(name)", vrrpInstances: [instance])
        let address = { try lab.director.check(["ip", "-o", "-4", "addr", "show", "dev", "out0"]).stdout }
        let first = try KeepalivedDaemon.start(config, on: lab.director, in: lab)
        XCTAssertTrue(first.directory.hasPrefix(lab.state.labDirectory + "/"), first.directory)
        let record = try XCTUnwrap(try LabStore.load(name).processes.first { $0.label == first.label })
        XCTAssertEqual(record.pid, first.pid)
        XCTAssertTrue(DetachedProcess.matches(record.pid, marker: record.marker))
        XCTAssertTrue(try Self.poll(within: 15) { try address().contains("198.18.1.200/24") },
                      "VRRP master took no address: \((try? address()) ?? "")\n\((try? first.log()) ?? "")")
        XCTAssertFalse(try ProcessRunner.check(["ip", "-o", "-4", "addr"]).stdout.contains("198.18.1.200"),
                       "keepalived put its address on the host")

        try first.stop()
        XCTAssertFalse(first.isRunning)
        XCTAssertNil(try LabStore.load(name).processes.first { $0.label == first.label })
        XCTAssertFalse(try address().contains("198.18.1.200"), "keepalived left its address after a stop")

        // Started again and never stopped: `lab down` ends it (checked in the defer).
        daemon = try KeepalivedDaemon.start(config, on: lab.director, in: lab)
        XCTAssertNotNil(try LabStore.load(name).processes.first { $0.label == first.label })
    }

    /// Polls `condition` every 0.2 s until it holds or `limit` seconds pass; whether it held.
    static func poll(within limit: Double, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if try condition() { return true }
            usleep(200_000)
        }
        return false
    }

    /// `lab up` through the CLI (as the lab tests do; it inherits the test's environment),
    /// then the lab opened in this process.
    static func up(_ args: [String]) throws -> RunningLab {
        let r = try cli(["lab", "up"] + args)
        guard r.succeeded else { throw RuntimeFailure("lab up \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)") }
        return try LabEngine.open(name: args[args.firstIndex(of: "--name")! + 1])
    }

    /// Polls the director's `ipvsadm -Ln` until every service has exactly the reals at
    /// `addresses`; returns how long that took.
    static func waitUntil(_ lab: RunningLab, listsReals addresses: Set<String>, within limit: Double) throws -> Double {
        let start = Date()
        var last: [ServiceSpec] = []
        while Date().timeIntervalSince(start) < limit {
            last = try lab.listing()
            if last.count == 2 && last.allSatisfy({ Set($0.reals.map(\.address)) == addresses }) {
                return Date().timeIntervalSince(start)
            }
            usleep(100_000)
        }
        let seen = last.map { "\($0.service.endpoint): \($0.reals.map(\.address).sorted())" }
        throw RuntimeFailure("the director did not list reals \(addresses.sorted()) within \(limit) s; it lists \(seen)")
    }

    static func format(_ seconds: Double) -> String { String(format: "%.1f s", seconds) }
}
