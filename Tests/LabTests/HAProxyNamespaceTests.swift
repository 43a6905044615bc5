import Balancing
import Foundation
import Lab
import ProxyBalancing
import SystemKit
import XCTest

/// `HAProxyBalancer` run by a namespace runner, as for a native director: all or nothing,
/// a reload keeps the master's pid (the one the lab records), and stopping that pid with its
/// marker, as `lab down` does, leaves no HAProxy process.
final class HAProxyNamespaceTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "needs root (network namespaces)")
        _ = try XCTUnwrap(ToolLocator.find("haproxy"), "haproxy is installed by scripts/setup.sh")
    }

    func testNamespaceDirectorStartsReloadsRefusesAndStopsByPid() throws {
        let namespace = "\(LabEnvironment.prefix)-t-hapns-director"
        let directory = LabEnvironment.runDirectory + "/t-hapns"
        try ProcessRunner.check(["ip", "netns", "add", namespace])
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let node = NamespaceNode(name: "director", role: .director, namespace: namespace)
        let balancer = HAProxyBalancer(runner: node, directory: directory + "/haproxy")
        defer {
            if let pid = Self.pid(balancer) { _ = DetachedProcess.stop(pid, marker: balancer.configPath, group: true) }
            _ = try? ProcessRunner.run(["ip", "netns", "delete", namespace])
            try? FileManager.default.removeItem(atPath: directory)
        }
        try node.check(["ip", "link", "set", "lo", "up"])
        try node.check(["ip", "addr", "add", "198.18.1.100/32", "dev", "lo"])
        let service = VirtualService(address: "198.18.1.100", port: 80)
        let spec = ServiceSpec(service: service, scheduler: .wrr, reals: [
            RealSpec(address: "198.18.2.11", port: 80, forwarding: .nat, weight: 5),
            RealSpec(address: "198.18.2.12", port: 80, forwarding: .nat, weight: 1),
        ])
        try balancer.install(all: [spec])
        XCTAssertEqual(try balancer.services(), [spec])
        let master = try XCTUnwrap(Self.pid(balancer))
        XCTAssertTrue(DetachedProcess.matches(master, marker: balancer.configPath))

        // A configuration HAProxy refuses changes nothing.
        let config = try String(contentsOfFile: balancer.configPath, encoding: .utf8)
        let bad = ServiceSpec(service: VirtualService(address: "198.18.1.100", port: 81), scheduler: .rr,
                              reals: [RealSpec(address: "no-such-real.invalid", port: 80, forwarding: .nat, weight: 1)])
        XCTAssertThrowsError(try balancer.install(bad)) { error in
            XCTAssertTrue("\(error)".hasPrefix("HAProxy refused the configuration, nothing changed: [ALERT]"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: balancer.configPath, encoding: .utf8), config)
        XCTAssertEqual(try balancer.services(), [spec])

        // A weight in place, a scheduler and timeouts by reload: the master stays.
        try balancer.apply(.real(service, RealSpec(address: "198.18.2.12", port: 80, forwarding: .nat, weight: 0)))
        try balancer.apply(.scheduler(service, scheduler: .wlc, persistence: nil))
        try balancer.setTimeouts(ConnectionTimeouts(tcp: 60, tcpFin: 30, udp: 300))
        XCTAssertEqual(try balancer.services().first?.scheduler, .wlc)
        XCTAssertEqual(try balancer.services().first?.reals.map(\.weight), [5, 0])
        XCTAssertEqual(try balancer.timeouts(), ConnectionTimeouts(tcp: 60, tcpFin: 30, udp: 300))
        XCTAssertEqual(Self.pid(balancer), master)
        XCTAssertEqual(try balancer.counters().map(\.service), [service])
        try balancer.remove(all: [service])
        XCTAssertEqual(try balancer.services(), [])

        // What `lab down` does with the recorded master: nothing of HAProxy is left.
        XCTAssertTrue(DetachedProcess.stop(master, marker: balancer.configPath, group: true))
        let left = (try FileManager.default.contentsOfDirectory(atPath: "/proc")).compactMap { Int32($0) }
            .filter { DetachedProcess.isAlive($0) && DetachedProcess.matches($0, marker: balancer.configPath) }
        XCTAssertEqual(left, [])
    }

    static func pid(_ balancer: HAProxyBalancer) -> Int32? {
        (try? String(contentsOfFile: balancer.pidPath, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
