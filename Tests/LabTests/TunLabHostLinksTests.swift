import Foundation
import Lab
import SystemKit
import XCTest

/// A TUN lab leaves the host's own interface list alone: no `tunl0` (from loading `ipip`) or
/// anything else appears in the default namespace, while up or after `lab down` (root, UML director).
final class TunLabHostLinksTests: XCTestCase {
    let labName = "tl\(getpid() % 100_000)"

    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
    }

    func hostLinks() throws -> String { try ProcessRunner.check(["ip", "-o", "link"]).stdout }

    func testTunLabUpAndDownLeaveTheHostLinksIdentical() throws {
        let before = try hostLinks()
        let ipipBefore = FileManager.default.fileExists(atPath: "/sys/module/ipip")
        var down: ProcessResult?
        defer {
            if down == nil { _ = try? LabCLI.run(["lab", "down", "--name", labName]) }
        }
        let lab = try LabCLI.up(["--name", labName, "--mode", "tun", "--reals", "1"])
        XCTAssertEqual(try lab.httpRequests(5).ok, 5, "the TUN lab answers")
        XCTAssertEqual(try hostLinks(), before, "while the TUN lab is up")
        down = try LabCLI.run(["lab", "down", "--name", labName])
        XCTAssertEqual(down?.status, 0, down?.stderr ?? "")
        XCTAssertEqual(try hostLinks(), before, "after lab down")
        XCTAssertEqual(FileManager.default.fileExists(atPath: "/sys/module/ipip"), ipipBefore, "ipip was loaded into the host")
    }
}
