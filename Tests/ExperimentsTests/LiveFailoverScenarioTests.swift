import Foundation
import SystemKit
import TestSupport
import XCTest

/// `lvsbench scenario director-failover` against real labs (two UML directors, keepalived's
/// VRRP between them), with a short timeline that still decides the direction: with IPVS
/// connection synchronisation more connections survive the active director's crash than
/// without. Needs root.
final class LiveFailoverScenarioTests: LiveScenarioTestCase {
    override class var prefix: String { TestPrefix.named("Fo") }

    func testSyncOnKeepsMoreConnectionsThroughTheCrashThanSyncOff() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        try XCTSkipUnless(ToolLocator.find("linux.uml") != nil, "needs user-mode-linux (the host kernel has no IPVS)")
        let run = try scenario(["director-failover", "--variants", "sync-off,sync-on", "--duration", "13s",
                                "--fault-at", "4s", "--rate", "150", "-c", "20"])
        XCTAssertEqual(Self.guests(prefix: Self.prefix), [], "no director guest left behind")
        func survivors(_ name: String) throws -> Int {
            let m = Self.metrics(try XCTUnwrap(run.variants[name], "variant \(name) missing"))
            return try XCTUnwrap(m["connections"] as? Int) - XCTUnwrap(m["broken_connections"] as? Int)
        }
        let off = try survivors("sync-off/http"), on = try survivors("sync-on/http")
        XCTAssertGreaterThan(on, off, "with sync more connections survive the crash (sync-on \(on), sync-off \(off))")
        XCTAssertEqual(run.findings.first?["verdict"] as? String, "shown", "\(run.findings)")
    }

    /// Live user-mode Linux guests of labs under `prefix` (their umid carries the prefix).
    static func guests(prefix: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let line = DetachedProcess.commandLine(of: pid), DetachedProcess.isAlive(pid) else { return false }
            return line.contains("linux.uml") && line.contains("umid=\(prefix)-")
        }
    }
}
