import Foundation
import IPVSControl
@testable import Lab
import SystemKit
import Vocabulary
import XCTest

/// `lab set`'s all-or-nothing edits through the IPVS balancer on a stand-in director (no root): the steps it plans from
/// the director's listing and the rollback when one is refused.
final class BalancerTransactionTests: XCTestCase {
    /// Runs nothing; remembers every argv and refuses those in `refuse` like ipvsadm does.
    final class Director: LabNode, @unchecked Sendable {
        let name = "director"
        let role = NodeRole.director
        var refuse: Set<[String]> = []
        var ran: [[String]] = []
        func run(_ argv: [String], timeout: Double?) throws -> ProcessResult {
            ran.append(argv)
            return refuse.contains(argv) ? ProcessResult(status: 1, stdout: "", stderr: "No such destination")
                : ProcessResult(status: 0, stdout: "", stderr: "")
        }
        func readFile(_ path: String) throws -> String { "" }
        func wrap(_ argv: [String]) -> [String] { argv }
    }

    /// Step `name` sets the scheduler of service `name`:80 to rr; its undo puts back wrr.
    func steps(_ names: [String]) -> BalancerTransaction {
        BalancerTransaction(steps: names.map { .init(what: $0, apply: change($0, .rr), undo: change($0, .wrr)) })
    }

    func change(_ name: String, _ scheduler: Scheduler) -> BalancerChange {
        .scheduler(VirtualService(address: name, port: 80), scheduler: scheduler, persistence: nil)
    }

    /// The ipvsadm argv the IPVS balancer runs for step `name` and for its undo.
    func apply(_ name: String) -> [String] { ["ipvsadm", "-E", "-t", "\(name):80", "-s", "rr"] }
    func undo(_ name: String) -> [String] { ["ipvsadm", "-E", "-t", "\(name):80", "-s", "wrr"] }

    func testAllStepsRunInOrderWhenNoneFails() throws {
        let director = Director()
        try steps(["a", "b", "c"]).run(on: IPVSBalancer(runner: director))
        XCTAssertEqual(director.ran, [apply("a"), apply("b"), apply("c")])
    }

    func testARefusedStepUndoesTheEarlierOnesLastFirst() {
        let director = Director()
        director.refuse = [apply("c")]
        XCTAssertThrowsError(try steps(["a", "b", "c", "d"]).run(on: IPVSBalancer(runner: director))) { error in
            let failed = error as? BalancerTransaction.Failed
            XCTAssertEqual(failed?.step, "c")
            XCTAssertEqual(failed?.exitStatus, .failure)
            XCTAssertTrue("\(error)".hasSuffix("every earlier change was put back; nothing changed"), "\(error)")
        }
        XCTAssertEqual(director.ran, [apply("a"), apply("b"), apply("c"), undo("b"), undo("a")])
    }

    func testAnUndoThatFailsIsReportedAsADifferenceFromLabStatus() {
        let director = Director()
        director.refuse = [apply("c"), undo("a")]
        XCTAssertThrowsError(try steps(["a", "b", "c"]).run(on: IPVSBalancer(runner: director))) { error in
            XCTAssertEqual((error as? BalancerTransaction.Failed)?.undoFailures.count, 1)
            XCTAssertTrue("\(error)".contains("differs from `lvsbench lab status`"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
        XCTAssertEqual(director.ran.last, undo("a"))
    }

    func testAnInterruptBetweenStepsUndoes() {
        let director = Director()
        XCTAssertThrowsError(try steps(["a", "b", "c"]).run(on: IPVSBalancer(runner: director), interrupted: { director.ran.count == 2 })) { error in
            XCTAssertEqual((error as? BalancerTransaction.Failed)?.exitStatus, .interrupted)
        }
        XCTAssertEqual(director.ran, [apply("a"), apply("b"), undo("b"), undo("a")])
    }
}

/// TUN reals use the kernel's `tunl0` only when `ipip` is already in the host kernel; the
/// module is never loaded (that would create `tunl0` in the host's own namespace).
final class DecapDecisionTests: XCTestCase {
    static let netDev = """
    Inter-|   Receive                                                |  Transmit
     face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
        lo:  123456     100    0    0    0     0          0         0   123456     100    0    0    0     0       0          0
      eth0:  999999     200    0    0    0     0          0         0   888888     150    0    0    0     0       0          0
    """

    func testKernelDecapsulatesOnlyWhenIPIPIsAlreadyThere() {
        XCTAssertFalse(DecapProgram.kernelDecapsulates(ipipModule: false, netDev: Self.netDev))
        XCTAssertTrue(DecapProgram.kernelDecapsulates(ipipModule: true, netDev: Self.netDev))
        XCTAssertTrue(DecapProgram.kernelDecapsulates(ipipModule: false, netDev: Self.netDev + "\n tunl0:  0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"))
        XCTAssertFalse(DecapProgram.kernelDecapsulates(ipipModule: false, netDev: Self.netDev + "\nxtunl01:  0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"),
                       "only an interface named exactly tunl0 counts")
    }

    func testAskingNeverLoadsTheModule() throws {
        let before = FileManager.default.fileExists(atPath: "/sys/module/ipip")
        let links = try ProcessRunner.run(["ip", "-o", "link"]).stdout
        _ = DecapProgram.hostHasIPIP()
        XCTAssertEqual(FileManager.default.fileExists(atPath: "/sys/module/ipip"), before)
        XCTAssertEqual(try ProcessRunner.run(["ip", "-o", "link"]).stdout.contains("tunl0"), links.contains("tunl0"))
    }
}
