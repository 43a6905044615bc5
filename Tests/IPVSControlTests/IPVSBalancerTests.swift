import IPVSControl
import SystemKit
import Vocabulary
import XCTest

/// The IPVS balancer on a stand-in director: the ipvsadm commands behind each operation of
/// the seam, and the listings read back into the seam's types.
final class IPVSBalancerTests: XCTestCase {
    final class Director: CommandRunning, @unchecked Sendable {
        var ran: [[String]] = []
        var replies: [[String]: String] = [:]
        func run(_ argv: [String], timeout: Double?) throws -> ProcessResult {
            ran.append(argv)
            return ProcessResult(status: 0, stdout: replies[argv] ?? "", stderr: "")
        }
    }

    let vs = VirtualService(address: "198.18.1.100", port: 80)

    func testInstallAddsTheServiceThenEachReal() throws {
        let director = Director()
        try IPVSBalancer(runner: director).install(ServiceSpec(
            service: vs, scheduler: .wrr, persistence: 60,
            reals: [RealSpec(address: "198.18.2.11", port: 80, forwarding: .nat, weight: 3),
                    RealSpec(address: "198.18.2.12", port: 80, forwarding: .dr, weight: 1)]))
        XCTAssertEqual(director.ran, [
            ["ipvsadm", "-A", "-t", "198.18.1.100:80", "-s", "wrr", "-p", "60"],
            ["ipvsadm", "-a", "-t", "198.18.1.100:80", "-r", "198.18.2.11:80", "-m", "-w", "3"],
            ["ipvsadm", "-a", "-t", "198.18.1.100:80", "-r", "198.18.2.12:80", "-g", "-w", "1"],
        ])
    }

    func testLiveChangesAndRemoval() throws {
        let director = Director()
        let balancer = IPVSBalancer(runner: director)
        try balancer.apply(.scheduler(vs, scheduler: .lc, persistence: nil))
        try balancer.apply(.real(vs, RealSpec(address: "198.18.2.13", port: 80, forwarding: .tun, weight: 0)))
        try balancer.remove(vs)
        XCTAssertEqual(director.ran, [
            ["ipvsadm", "-E", "-t", "198.18.1.100:80", "-s", "lc"],
            ["ipvsadm", "-e", "-t", "198.18.1.100:80", "-r", "198.18.2.13:80", "-i", "-w", "0"],
            ["ipvsadm", "-D", "-t", "198.18.1.100:80"],
        ])
        XCTAssertThrowsError(try balancer.apply(.real(vs, RealSpec(address: "198.18.2.13", port: 80, forwarding: nil, weight: 1))))
        XCTAssertEqual(director.ran.count, 3, "a change IPVS cannot express runs nothing")
    }

    func testServicesReadBackWithPersistenceAndForwarding() throws {
        let director = Director()
        director.replies[IPVSCommand.list] = """
        IP Virtual Server version 1.2.1 (size=4096)
        Prot LocalAddress:Port Scheduler Flags
          -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
        TCP  198.18.1.100:80 wrr persistent 60
          -> 198.18.2.11:80               Masq    3      0          0
          -> 198.18.2.12:80               Route   1      2          5
        TCP  198.18.1.100:9000 rr
          -> 198.18.2.11:9000             Tunnel  1      0          0

        """
        let services = try IPVSBalancer(runner: director).services()
        XCTAssertEqual(services.map(\.scheduler), [.wrr, .rr])
        XCTAssertEqual(services.map(\.persistence), [60, nil])
        XCTAssertEqual(services[0].real("198.18.2.12", port: 80),
                       RealSpec(address: "198.18.2.12", port: 80, forwarding: .dr, weight: 1))
        XCTAssertEqual(services[1].reals.map(\.forwarding), [.tun])
    }

    func testCountersPerServiceAndReal() throws {
        let director = Director()
        director.replies[IPVSCommand.listStats] = IPVSListingTests.mixedStats
        let services = try IPVSBalancer(runner: director).counters()
        let http = try XCTUnwrap(services.service(vs))
        XCTAssertEqual(http.reals.map(\.service), [vs, vs, vs])
        XCTAssertEqual(http.reals.map(\.key).first, "TCP 198.18.1.100:80 -> 198.18.2.11:80")
        XCTAssertEqual(http.reals.total(of: "198.18.2.13").conns, 11)
    }

    func testTimeoutsAreReadAndSetWithIpvsadm() throws {
        let director = Director()
        director.replies[IPVSCommand.listTimeouts] = "Timeout (tcp tcpfin udp): 900 120 300\n"
        let balancer = IPVSBalancer(runner: director)
        XCTAssertEqual(try balancer.timeouts(), ConnectionTimeouts(tcp: 900, tcpFin: 120, udp: 300))
        try balancer.setTimeouts(ConnectionTimeouts(tcp: 30, tcpFin: 5, udp: 60))
        XCTAssertEqual(director.ran.last, ["ipvsadm", "--set", "30", "5", "60"])
    }
}
