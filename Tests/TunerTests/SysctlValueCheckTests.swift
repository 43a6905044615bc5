import IPVSControl
import XCTest
@testable import Tuner

final class SysctlValueCheckTests: XCTestCase {
    func testFormMustMatchTheCurrentValue() {
        XCTAssertNil(SysctlValueCheck.problem(key: "net.ipv4.tcp_rmem", wanted: "4096 87380 16777216", current: "4096\t131072\t33554432"))
        XCTAssertNotNil(SysctlValueCheck.problem(key: "net.ipv4.tcp_rmem", wanted: "16777216", current: "4096\t131072\t33554432"))
        XCTAssertNotNil(SysctlValueCheck.problem(key: "net.ipv4.tcp_fin_timeout", wanted: "30 40", current: "60"))
        XCTAssertNotNil(SysctlValueCheck.problem(key: "net.ipv4.tcp_fin_timeout", wanted: "thirty", current: "60"))
        XCTAssertNil(SysctlValueCheck.problem(key: "net.ipv4.tcp_congestion_control", wanted: "reno", current: "cubic"))
    }

    func testRangesTheKernelEnforces() {
        XCTAssertNil(SysctlValueCheck.problem(key: "net.ipv4.tcp_tw_reuse", wanted: "1", current: "2"))
        XCTAssertNotNil(SysctlValueCheck.problem(key: "net.ipv4.tcp_tw_reuse", wanted: "3", current: "2"))
        XCTAssertNotNil(SysctlValueCheck.problem(key: "net.ipv4.ip_local_port_range", wanted: "3000 2000", current: "32768\t60999"))
        XCTAssertNotNil(SysctlValueCheck.problem(key: "net.ipv4.ip_local_port_range", wanted: "0 2000", current: "32768\t60999"))
        XCTAssertNotNil(SysctlValueCheck.problem(key: "net.ipv4.tcp_rmem", wanted: "0 87380 16777216", current: "4096 131072 6291456"))
        XCTAssertNotNil(SysctlValueCheck.problem(key: "net.core.somaxconn", wanted: "-1", current: "4096"))
        XCTAssertNotNil(SysctlValueCheck.problem(key: "net.ipv4.tcp_fin_timeout", wanted: "4294967296", current: "60"))
        XCTAssertNil(SysctlValueCheck.problem(key: "net.ipv4.tcp_mem", wanted: "4294967296 4294967297 4294967298",
                                              current: "4294967295 4294967296 4294967297"))
    }

    func testTimeoutsParse() throws {
        XCTAssertEqual(try IPVSTimeoutListing.parse("Timeout (tcp tcpfin udp): 900 120 300\n"), ConnectionTimeouts(tcp: 900, tcpFin: 120, udp: 300))
        XCTAssertThrowsError(try IPVSTimeoutListing.parse("Timeout (tcp tcpfin udp): 900 120\n"))
        XCTAssertThrowsError(try IPVSTimeoutListing.parse("IP Virtual Server version 1.2.1\n"))
    }
}
