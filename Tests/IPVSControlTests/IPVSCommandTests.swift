import IPVSControl
import XCTest

final class IPVSCommandTests: XCTestCase {
    let vs = VirtualService(address: "198.18.1.100", port: 80)

    func testServiceArgv() {
        XCTAssertEqual(IPVSCommand.addService(vs, scheduler: .wrr),
                       ["ipvsadm", "-A", "-t", "198.18.1.100:80", "-s", "wrr"])
        XCTAssertEqual(IPVSCommand.editService(vs, scheduler: .lblcr, persistence: 300),
                       ["ipvsadm", "-E", "-t", "198.18.1.100:80", "-s", "lblcr", "-p", "300"])
        XCTAssertEqual(IPVSCommand.deleteService(vs), ["ipvsadm", "-D", "-t", "198.18.1.100:80"])
    }

    func testRealArgvUsesForwardingFlag() {
        XCTAssertEqual(IPVSCommand.addReal(vs, real: "198.18.2.11", port: 80, forwarding: .nat, weight: 5),
                       ["ipvsadm", "-a", "-t", "198.18.1.100:80", "-r", "198.18.2.11:80", "-m", "-w", "5"])
        XCTAssertEqual(IPVSCommand.editReal(vs, real: "198.18.2.12", port: 80, forwarding: .dr, weight: 0),
                       ["ipvsadm", "-e", "-t", "198.18.1.100:80", "-r", "198.18.2.12:80", "-g", "-w", "0"])
        XCTAssertEqual(IPVSCommand.addReal(vs, real: "198.18.2.13", port: 80, forwarding: .tun, weight: 65535).suffix(3),
                       ["-i", "-w", "65535"])
        XCTAssertEqual(IPVSCommand.deleteReal(vs, real: "198.18.2.11", port: 80),
                       ["ipvsadm", "-d", "-t", "198.18.1.100:80", "-r", "198.18.2.11:80"])
    }

    func testTimeouts() {
        XCTAssertEqual(IPVSCommand.setTimeouts(ConnectionTimeouts(tcp: 900, tcpFin: 120, udp: 0)), ["ipvsadm", "--set", "900", "120", "0"])
    }
}
