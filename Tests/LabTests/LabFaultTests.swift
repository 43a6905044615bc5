import Foundation
import Lab
import SystemKit
import XCTest

/// The fault hooks on a real lab: a real's servers crash and come back (recorded so that
/// `lab down` stops the new ones), its link is cut and restored; a bad index is refused.
final class LabFaultTests: XCTestCase {
    static let name = "t-kaf"

    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces)")
    }

    func testServersCrashAndRestartAndALinkIsCutAndRestored() throws {
        defer {
            let r = try? LabCLI.run(["lab", "down", "--name", Self.name])
            XCTAssertEqual(r?.status, 0, "lab down: \(r?.stderr ?? "")")
            XCTAssertEqual(LabTests.leftovers().filter { $0.contains(Self.name) }, [], "left behind by lab \(Self.name)")
        }
        let lab = try LabCLI.up(["--name", Self.name, "--mode", "nat", "--reals", "2"])
        let real2 = lab.state.reals[1]
        // From real1, a neighbour on the reals' bridge: the path crosses real2's switch port.
        let http = { try lab.reals[0].run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "2",
                                         "http://\(real2.address):\(lab.state.httpPort)/"], timeout: 10).stdout }
        XCTAssertEqual(try http(), "200")

        let before = try LabStore.load(Self.name).processes.filter { $0.label.hasSuffix(" real2") }
        XCTAssertEqual(before.count, 2)
        try lab.stopServers(real: 2)
        XCTAssertEqual(try http(), "000", "real2's nginx still answers after stopServers")
        XCTAssertTrue(before.allSatisfy { !DetachedProcess.isAlive($0.pid) })
        XCTAssertEqual(try LabStore.load(Self.name).processes.filter { $0.label.hasSuffix(" real2") }, [])

        try lab.startServers(real: 2)
        XCTAssertEqual(try http(), "200")
        let after = try LabStore.load(Self.name).processes.filter { $0.label.hasSuffix(" real2") }
        XCTAssertEqual(after.map(\.label).sorted(), ["nginx real2", "responder real2"])
        XCTAssertTrue(after.allSatisfy { DetachedProcess.isAlive($0.pid) && !before.map(\.pid).contains($0.pid) })
        XCTAssertThrowsError(try lab.startServers(real: 2), "starting servers that run must fail")

        try lab.cutLink(real: 2)
        XCTAssertEqual(try http(), "000", "real2 answers with its link cut")
        try lab.restoreLink(real: 2)
        XCTAssertEqual(try http(), "200")

        for bad in [0, 3] {
            XCTAssertThrowsError(try lab.cutLink(real: bad)) { error in
                XCTAssertEqual("\(error)", "no real\(bad) in lab \(Self.name): it has real1 to real2")
            }
        }
    }
}
