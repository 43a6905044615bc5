@testable import Lab
import XCTest

final class GuestInitTests: XCTestCase {
    /// The guest hides /tmp, /var/tmp and /run behind its own tmpfs; an executable below one
    /// of them (a checkout in /tmp) must be bound somewhere else first, or the agent never starts.
    func testExecutableIsBoundBeforeTheScratchMountsHideIt() {
        let scratch = GuestInit.privateScratch(executable: "/tmp/ci clone/.build/debug/lvsbench")
        let bind = scratch.lines.firstIndex { $0.hasPrefix("mount --bind") }
        let hideTmp = scratch.lines.firstIndex(of: "mount -t tmpfs tmpfs /tmp")
        XCTAssertNotNil(bind)
        XCTAssertNotNil(hideTmp)
        XCTAssertLessThan(bind ?? .max, hideTmp ?? .min)
        XCTAssertEqual(scratch.lines[bind!], "mount --bind '/tmp/ci clone/.build/debug' /mnt/lvsbench")
        XCTAssertEqual(scratch.executable, "/mnt/lvsbench/'lvsbench'")
        XCTAssertTrue(scratch.lines.contains("mount -t tmpfs tmpfs /run"))
    }

    func testShellQuotingSurvivesQuotes() {
        XCTAssertEqual(GuestInit.shellQuoted("it's"), "'it'\\''s'")
    }

    func testAgentStartsFromTheBoundExecutableAfterModulesLoad() throws {
        let plan = Topology.plan(LabSpec(name: "t", mode: .nat, reals: 1), backend: .uml, prefix: "px")
        let script = GuestInit.script(plan: plan, labDirectory: "/tmp/labdir", executable: "/tmp/x/lvsbench")
        let lines = script.split(separator: "\n").map(String.init)
        let lastModprobe = try XCTUnwrap(lines.lastIndex { $0.hasPrefix("modprobe") })
        let hideTmp = try XCTUnwrap(lines.firstIndex(of: "mount -t tmpfs tmpfs /tmp"))
        XCTAssertLessThan(lastModprobe, hideTmp, "modules live in the lab directory, which may be below /tmp")
        XCTAssertTrue(lines.contains { $0.hasPrefix("/mnt/lvsbench/'lvsbench' lab agent --listen") })
    }
}
