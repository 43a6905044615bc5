import Foundation
import IPVSControl
import Lab
import SystemKit
import Vocabulary
import XCTest

/// `lab set` on a live lab is all or nothing: a change the director's kernel refuses midway
/// leaves both `ipvsadm -Ln` and `lab status` at the previous configuration (root, UML director).
final class LabSetRollbackTests: XCTestCase {
    let labName = "ts\(getpid() % 100_000)"

    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
    }

    /// The configuration part of `ipvsadm -Ln` (connection counts left out: they decay on their own).
    func configuration(_ lab: RunningLab) throws -> [String] {
        try IPVSListing.parse(lab.director.check(IPVSCommand.list).stdout).services.flatMap { s in
            ["\(s.service.endpoint) \(s.scheduler) \(s.flags)"]
                + s.reals.map { "  \($0.address):\($0.port) \($0.forwarding?.rawValue ?? "?") \($0.weight)" }
        }
    }

    func status() throws -> LabState {
        let r = try LabCLI.run(["lab", "status", "--name", labName, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return try JSONCoding.decode(LabState.self, from: Data(r.stdout.utf8))
    }

    func testARefusalMidwayPutsTheDirectorAndTheStateBack() throws {
        defer {
            let r = try? LabCLI.run(["lab", "down", "--name", labName])
            XCTAssertEqual(r?.status, 0, "lab down: \(r?.stderr ?? "")")
        }
        let lab = try LabCLI.up(["--name", labName, "--mode", "nat", "--reals", "2", "--scheduler", "wrr", "--weights", "3,1"])
        let real2 = lab.state.reals[1]
        let tcp = VirtualService(address: lab.vip, port: lab.state.tcpPort)
        // A real way for a later step to fail: real2 is gone from the responder service (as an
        // operator's `ipvsadm -d` would leave it), so the kernel refuses to edit its weight
        // there after the schedulers and real1's weights were already changed.
        try lab.director.check(IPVSCommand.deleteReal(tcp, real: real2.address, port: tcp.port))
        let before = try configuration(lab)
        let stateBefore = try status()
        XCTAssertEqual(try lab.listing().map(\.scheduler), [.wrr, .wrr])

        let set = try LabCLI.run(["lab", "set", "--name", labName, "--scheduler", "rr", "--weights", "5,7"])
        XCTAssertEqual(set.status, 1, set.stdout)
        XCTAssertEqual(set.stderr.split(separator: "\n").count, 1, set.stderr)
        XCTAssertTrue(set.stderr.contains("setting the weight of real2 on \(tcp.endpoint) to 7 failed"), set.stderr)
        XCTAssertTrue(set.stderr.contains("every earlier change was put back"), set.stderr)
        XCTAssertEqual(try configuration(lab), before, "ipvsadm -Ln after the failed lab set")
        XCTAssertEqual(try status(), stateBefore, "lab status after the failed lab set")

        // One real's weight: its first service takes it, the second refuses: put back too.
        let one = try LabCLI.run(["lab", "set", "--name", labName, "--real", "2", "--weight", "9"])
        XCTAssertEqual(one.status, 1, one.stdout)
        XCTAssertEqual(try configuration(lab), before)
        XCTAssertEqual(try status(), stateBefore)

        // What the kernel accepts still goes through, and lab status then shows it.
        let ok = try LabCLI.run(["lab", "set", "--name", labName, "--scheduler", "rr", "--real", "1", "--weight", "4"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let after = try lab.listing()
        XCTAssertEqual(after.map(\.scheduler), [.rr, .rr])
        XCTAssertEqual(after.map { $0.reals.first { $0.address == lab.state.reals[0].address }?.weight }, [4, 4])
        let stateAfter = try status()
        XCTAssertEqual(stateAfter.scheduler, .rr)
        XCTAssertEqual(stateAfter.reals.map(\.weight), [4, 1])
    }
}
