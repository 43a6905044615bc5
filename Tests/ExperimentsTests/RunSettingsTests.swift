import XCTest
import SystemKit
import Vocabulary
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
        r.modes = try ListOption.parse("dr, nat,dr", option: "--mode", LabMode.init(parsing:))
        r.schedulers = try ListOption.parse("WRR,sh", option: "--scheduler", Scheduler.init(parsing:))
        r.load = try LoadKind(parsing: "tcp-crr")
        r.duration = try RunSettings.window("2s")
        r.warmup = try RunSettings.warmupSeconds("0")
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
        func validated(out: String = out, _ change: @escaping (inout RunRequest) throws -> Void) -> () throws -> Void {
            { var r = self.request(out: out); try change(&r); _ = try RunSettings.validated(r) }
        }
        let cases: [(() throws -> Void, String)] = [
            (validated { $0.modes = try ListOption.parse("nat,bogus", option: "--mode", LabMode.init(parsing:)) },
             "unknown mode 'bogus'"),
            (validated { $0.modes = try ListOption.parse("", option: "--mode", LabMode.init(parsing:)) },
             "--mode '' has an empty entry"),
            (validated { $0.schedulers = try ListOption.parse("rr,,wrr", option: "--scheduler", Scheduler.init(parsing:)) },
             "empty entry"),
            (validated { $0.schedulers = try ListOption.parse("fastest", option: "--scheduler", Scheduler.init(parsing:)) },
             "unknown scheduler 'fastest'"),
            (validated { $0.duration = try RunSettings.window("0") }, "--duration '0' is not a positive duration"),
            (validated { $0.weights = [try Weights.parseList("5,1")] }, "2 weights given for 4 reals"),
            (validated { $0.weights = [try Weights.parseList("0,0,0,0")] }, "every real weight 0"),
            (validated { $0.load = try LoadKind(parsing: "udp") }, "unknown load 'udp'"),
            (validated { $0.reals = 0 }, "--reals 0 is out of range"),
            (validated { $0.repeats = 0 }, "--repeat 0"),
            (validated { $0.connections = 0 }, "-c 0"),
            (validated { $0.name = "../x" }, "--name '../x'"),
            (validated(out: "/dev/null/results") { _ in }, "--out /dev/null/results is not writable"),
            (validated(out: "/proc/lvsbench-results") { _ in }, "is not writable"),
        ]
        for (body, expected) in cases {
            XCTAssertThrowsError(try body(), expected) { error in
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
        r.profiles = ["default", "turbo"]
        XCTAssertThrowsError(try RunSettings.validated(r, knownProfiles: ["default", "throughput"]))
        r.profiles = ["throughput"]
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
