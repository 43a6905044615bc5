import IPVSControl
import SystemKit
import Vocabulary
import XCTest

/// The IPVS balancer's batch form: restore text for `ipvsadm -R`, cut into pieces an
/// argument can carry, run through `sh` on the director, and reached through `any Balancer`.
final class IPVSRestoreTests: XCTestCase {
    final class Director: CommandRunning, @unchecked Sendable {
        var ran: [[String]] = []
        var failOn: Int?
        func run(_ argv: [String], timeout: Double?) throws -> ProcessResult {
            ran.append(argv)
            return ProcessResult(status: ran.count == failOn ? 1 : 0, stdout: "", stderr: ran.count == failOn ? "bad" : "")
        }
    }

    func spec(port: Int, reals: Int = 2) -> ServiceSpec {
        ServiceSpec(service: VirtualService(address: "198.18.1.100", port: port), scheduler: .rr,
                    reals: (0..<reals).map { RealSpec(address: "198.18.2.\(11 + $0)", port: 9000, forwarding: .nat, weight: 1) })
    }

    func testInstallLinesAreIpvsadmCommandsWithoutTheProgramEachServiceBeforeItsReals() throws {
        var persistent = spec(port: 10_000)
        persistent.persistence = 60
        persistent.reals[1].forwarding = .dr
        XCTAssertEqual(try IPVSRestore.install([persistent, spec(port: 9000, reals: 1)]), [
            "-A -t 198.18.1.100:10000 -s rr -p 60",
            "-a -t 198.18.1.100:10000 -r 198.18.2.11:9000 -m -w 1",
            "-a -t 198.18.1.100:10000 -r 198.18.2.12:9000 -g -w 1",
            "-A -t 198.18.1.100:9000 -s rr",
            "-a -t 198.18.1.100:9000 -r 198.18.2.11:9000 -m -w 1",
        ])
        XCTAssertEqual(IPVSRestore.remove([spec(port: 10_000).service, spec(port: 9000).service]),
                       ["-D -t 198.18.1.100:10000", "-D -t 198.18.1.100:9000"])
    }

    func testARealWithoutForwardingIsRefused() {
        var bad = spec(port: 80)
        bad.reals[0].forwarding = nil
        XCTAssertThrowsError(try IPVSRestore.install([bad])) { XCTAssertTrue($0 is InvalidInput) }
    }

    func testPiecesKeepLinesWholeInOrderAndBelowTheArgumentLimit() throws {
        let lines = try IPVSRestore.install((0..<10_000).map { spec(port: 10_000 + $0) })
        let commands = IPVSRestore.commands(lines)
        XCTAssertGreaterThan(commands.count, 1)
        XCTAssertLessThan(commands.count, 40, "10,000 services take tens of processes, not thousands")
        for argv in commands {
            XCTAssertEqual(Array(argv.prefix(3)), ["sh", "-c", "printf '%s' \"$1\" | ipvsadm -R"])
            XCTAssertEqual(argv.count, 5)
            XCTAssertLessThanOrEqual(argv[4].utf8.count, IPVSRestore.chunkBytes)
            XCTAssertTrue(argv[4].hasSuffix("\n"))
        }
        XCTAssertEqual(commands.flatMap { $0[4].split(separator: "\n").map(String.init) }, lines)
        XCTAssertEqual(IPVSRestore.commands([]), [])
        XCTAssertEqual(IPVSRestore.commands(["-A -t 1.2.3.4:80 -s rr", "-D -t 1.2.3.4:80"], chunkBytes: 10).map { $0[4] },
                       ["-A -t 1.2.3.4:80 -s rr\n", "-D -t 1.2.3.4:80\n"], "a line longer than a piece goes alone")
    }

    /// Through `any Balancer`, as `lvsbench scale` holds it: the batch form, not one ipvsadm per line.
    func testBatchInstallAndRemoveRunRestoreThroughTheSeam() throws {
        let director = Director()
        let balancer: any Balancer = IPVSBalancer(runner: director)
        try balancer.install(all: [spec(port: 10_000), spec(port: 9000)])
        XCTAssertEqual(director.ran.count, 1)
        XCTAssertEqual(director.ran[0][4], """
            -A -t 198.18.1.100:10000 -s rr
            -a -t 198.18.1.100:10000 -r 198.18.2.11:9000 -m -w 1
            -a -t 198.18.1.100:10000 -r 198.18.2.12:9000 -m -w 1
            -A -t 198.18.1.100:9000 -s rr
            -a -t 198.18.1.100:9000 -r 198.18.2.11:9000 -m -w 1
            -a -t 198.18.1.100:9000 -r 198.18.2.12:9000 -m -w 1

            """)
        try balancer.remove(all: [spec(port: 10_000).service])
        XCTAssertEqual(director.ran.last?[4], "-D -t 198.18.1.100:10000\n")
        try balancer.remove(all: [])
        XCTAssertEqual(director.ran.count, 2, "nothing to remove runs nothing")
    }

    func testAFailingPieceStopsTheBatchAndIsReported() throws {
        let director = Director()
        director.failOn = 1
        XCTAssertThrowsError(try IPVSBalancer(runner: director).install(all: (0..<3000).map { spec(port: 10_000 + $0) })) {
            XCTAssertTrue($0 is CommandFailed)
        }
        XCTAssertEqual(director.ran.count, 1)
    }
}
