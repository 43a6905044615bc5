import XCTest
import IPVSControl
import SystemKit
@testable import Experiments

final class RunSettingsTests: XCTestCase {
    private func tempDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exp-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    private func request(out: String) -> RunRequest {
        var r = RunRequest()
        r.outDir = out
        return r
    }

    func testDefaultsAreTheTutorialBenchmark() throws {
        let s = try RunSettings.validated(request(out: try tempDir()))
        XCTAssertEqual(s.modes, [.nat, .dr, .tun])
        XCTAssertEqual(s.schedulers, [.rr, .wrr, .lc, .wlc])
        XCTAssertEqual(s.profiles, ["default"])
        XCTAssertEqual(s.reals, 4)
        XCTAssertEqual(s.weightSets, [[5, 5, 1, 1]])
        XCTAssertEqual(s.load, .http)
        XCTAssertEqual(s.duration, 3)
        XCTAssertEqual(s.warmup, 1)
        XCTAssertEqual(s.repeats, 1)
    }

    func testListsAreParsedAndDeduplicated() throws {
        var r = request(out: try tempDir())
        r.modes = "dr, nat,dr"
        r.schedulers = "WRR,sh"
        r.load = "tcp-crr"
        r.duration = "2s"
        r.warmup = "0"
        let s = try RunSettings.validated(r)
        XCTAssertEqual(s.modes, [.dr, .nat])
        XCTAssertEqual(s.schedulers, [.wrr, .sh])
        XCTAssertEqual(s.load, .tcpCRR)
        XCTAssertTrue(s.load.closesConnections)
        XCTAssertEqual(s.duration, 2)
        XCTAssertEqual(s.warmup, 0)
    }

    func testBadInputIsRejectedWithOneLine() throws {
        let out = try tempDir()
        var cases: [(RunRequest, String)] = []
        var r = request(out: out); r.modes = "nat,bogus"; cases.append((r, "unknown mode 'bogus'"))
        r = request(out: out); r.modes = ""; cases.append((r, "--mode '' has an empty entry"))
        r = request(out: out); r.schedulers = "rr,,wrr"; cases.append((r, "empty entry"))
        r = request(out: out); r.schedulers = "fastest"; cases.append((r, "unknown scheduler 'fastest'"))
        r = request(out: out); r.duration = "0"; cases.append((r, "--duration '0' is not a positive duration"))
        r = request(out: out); r.weights = ["5,1"]; cases.append((r, "2 weights given for 4 reals"))
        r = request(out: out); r.weights = ["0,0,0,0"]; cases.append((r, "every real weight 0"))
        r = request(out: out); r.load = "udp"; cases.append((r, "unknown load 'udp'"))
        r = request(out: out); r.reals = 0; cases.append((r, "--reals 0 is out of range"))
        r = request(out: out); r.repeats = 0; cases.append((r, "--repeat 0"))
        r = request(out: out); r.connections = 0; cases.append((r, "-c 0"))
        r = request(out: out); r.name = "../x"; cases.append((r, "--name '../x'"))
        r = request(out: "/dev/null/results"); cases.append((r, "--out /dev/null/results is not writable"))
        r = request(out: "/proc/lvsbench-results"); cases.append((r, "is not writable"))
        for (req, expected) in cases {
            XCTAssertThrowsError(try RunSettings.validated(req), expected) { error in
                let e = error as? InvalidInput
                XCTAssertNotNil(e, "\(error)")
                XCTAssertTrue(e?.description.contains(expected) ?? false, "\(e?.description ?? "") lacks \(expected)")
                XCTAssertFalse(e?.description.contains("\n") ?? true)
                XCTAssertEqual(e?.exitStatus, .usage)
            }
        }
    }

    func testUnknownProfileIsRejectedWhenProfilesAreKnown() throws {
        var r = request(out: try tempDir())
        r.profiles = "default,turbo"
        XCTAssertThrowsError(try RunSettings.validated(r, knownProfiles: ["default", "throughput"]))
        r.profiles = "throughput"
        XCTAssertEqual(try RunSettings.validated(r, knownProfiles: ["default", "throughput"]).profiles, ["throughput"])
    }

    func testOutputCheckLeavesNothingBehind() throws {
        let dir = try tempDir()
        var r = request(out: dir + "/a/b/c")
        r.name = "x"
        _ = try RunSettings.validated(r)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
    }

    func testWarmupMayBeZero() throws {
        for zero in ["0", "0s", "0ms", " 0.0s"] { XCTAssertEqual(try RunSettings.warmupSeconds(zero), 0, zero) }
        XCTAssertEqual(try RunSettings.warmupSeconds("500ms"), 0.5)
        XCTAssertEqual(try RunSettings.warmupSeconds("2"), 2)
        for bad in ["-1s", "soon", "0x"] { XCTAssertThrowsError(try RunSettings.warmupSeconds(bad), bad) }
    }

    func testDefaultWeightsCycleTheTutorialPattern() {
        XCTAssertEqual(RunSettings.defaultWeights(reals: 1), [5])
        XCTAssertEqual(RunSettings.defaultWeights(reals: 6), [5, 5, 1, 1, 5, 5])
    }
}
