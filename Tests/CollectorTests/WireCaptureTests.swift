import Foundation
import Lab
import SystemKit
import XCTest
@testable import Collector

/// The capture plumbing (setns, pcap, directions) on two namespaces of our own, no lab.
final class WireCaptureTests: XCTestCase {
    let a = "lvsC-wiretest-\(getpid())-a", b = "lvsC-wiretest-\(getpid())-b"

    override func tearDown() {
        for ns in [a, b] { _ = try? ProcessRunner.run(["ip", "netns", "del", ns]) }
    }

    func testCountsBothDirectionsInsideANamespace() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        for ns in [a, b] { try ProcessRunner.check(["ip", "netns", "add", ns]) }
        try ProcessRunner.check(["ip", "-n", a, "link", "add", "wa", "type", "veth", "peer", "name", "wb", "netns", b])
        try ProcessRunner.check(["ip", "-n", a, "addr", "add", "198.18.200.1/30", "dev", "wa"])
        try ProcessRunner.check(["ip", "-n", b, "addr", "add", "198.18.200.2/30", "dev", "wb"])
        try ProcessRunner.check(["ip", "-n", a, "link", "set", "wa", "up"])
        try ProcessRunner.check(["ip", "-n", b, "link", "set", "wb", "up"])
        // `a` plays the switch; `b` the director, which answers every SYN to port 80 with RST.
        let capture = try WireCapture(links: [CaptureLink(namespace: a, interface: "wa", side: .lan)])
        try capture.start()
        for _ in 0..<5 {
            _ = try ProcessRunner.run(["ip", "netns", "exec", a, "curl", "-s", "-m", "1", "http://198.18.200.2:80/"])
        }
        usleep(300_000)
        let report = capture.stop()
        let link = try XCTUnwrap(report.links.first)
        XCTAssertGreaterThanOrEqual(link.toDirector.packets, 5, "SYNs into b")
        XCTAssertGreaterThanOrEqual(link.fromDirector.replies, 5, "RSTs from port 80 out of b")
        XCTAssertEqual(link.toDirector.replies, 0)
        XCTAssertEqual(report.total.ipip, 0)
        XCTAssertGreaterThan(link.toDirector.bytes, 5 * 54)
        XCTAssertEqual(capture.stop().links.count, 1, "stop() twice")
    }

    func testMissingNamespaceIsAOneLineError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        let capture = try WireCapture(links: [CaptureLink(namespace: "lvsC-no-such-ns", interface: "x", side: .lan)])
        XCTAssertThrowsError(try capture.start()) { error in
            XCTAssertTrue("\(error)".contains("lvsC-no-such-ns"), "\(error)")
        }
    }
}
