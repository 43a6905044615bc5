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

    func testDefaultsAreTheTutorialBenchmark() throws {
        let s = try RunSettings()
        XCTAssertEqual(s.modes, [.nat, .dr, .tun])
        XCTAssertEqual(s.schedulers, [.rr, .wrr, .lc, .wlc])
        XCTAssertEqual(s.profiles, ["default"])
        XCTAssertEqual(s.reals, 4)
        XCTAssertEqual(s.weightSets, [[5, 5, 1, 1]])
        XCTAssertEqual(s.load, .http)
        XCTAssertEqual(s.duration, 3)
        XCTAssertEqual(s.warmup, 1)
        XCTAssertEqual(s.repeats, 1)
        XCTAssertEqual(s.outDir, "results")
        XCTAssertEqual(s.name, "run")
    }

    func testListsAreParsedAndDeduplicated() throws {
        let s = try RunSettings(modes: try ListOption.parse("dr, nat,dr", option: "--mode", LabMode.init(parsing:)),
                                schedulers: try ListOption.parse("WRR,sh", option: "--scheduler", Scheduler.init(parsing:)),
                                load: try LoadKind(parsing: "tcp-crr"), duration: try RunSettings.window("2s"),
                                warmup: try RunSettings.warmupSeconds("0"))
        XCTAssertEqual(s.modes, [.dr, .nat])
        XCTAssertEqual(s.schedulers, [.wrr, .sh])
        XCTAssertEqual(s.load, .tcpCRR)
        XCTAssertTrue(s.load.closesConnections)
        XCTAssertEqual(s.duration, 2)
        XCTAssertEqual(s.warmup, 0)
    }

    func testBadInputIsRejectedWithOneLine() throws {
        let out = try tempDir()
        let cases: [(() throws -> Void, String)] = [
            ({ _ = try RunSettings(modes: try ListOption.parse("nat,bogus", option: "--mode", LabMode.init(parsing:))) },
             "unknown mode 'bogus'"),
            ({ _ = try RunSettings(modes: try ListOption.parse("", option: "--mode", LabMode.init(parsing:))) },
             "--mode '' has an empty entry"),
            ({ _ = try RunSettings(schedulers: try ListOption.parse("rr,,wrr", option: "--scheduler", Scheduler.init(parsing:))) },
             "empty entry"),
            ({ _ = try RunSettings(schedulers: try ListOption.parse("fastest", option: "--scheduler", Scheduler.init(parsing:))) },
             "unknown scheduler 'fastest'"),
            ({ _ = try RunSettings(duration: try RunSettings.window("0")) }, "--duration '0' is not a positive duration"),
            ({ _ = try RunSettings(weights: [try Weights.parseList("5,1")]) }, "2 weights given for 4 reals"),
            ({ _ = try RunSettings(weights: [try Weights.parseList("0,0,0,0")]) }, "every real weight 0"),
            ({ _ = try RunSettings(load: try LoadKind(parsing: "udp")) }, "unknown load 'udp'"),
            ({ _ = try RunSettings(reals: 0) }, "--reals 0 is out of range"),
            ({ _ = try RunSettings(repeats: 0) }, "--repeat 0"),
            ({ _ = try RunSettings(connections: 0) }, "-c 0"),
            ({ _ = try RunSettings(name: "../x") }, "--name '../x'"),
            ({ try RunSettings(outDir: "/dev/null/results").checkHost(knownProfiles: nil) },
             "--out /dev/null/results is not writable"),
            ({ try RunSettings(outDir: "/proc/lvsbench-results").checkHost(knownProfiles: nil) }, "is not writable"),
            ({ try RunSettings(profiles: ["turbo"], outDir: out).checkHost(knownProfiles: ["default"]) },
             "unknown profile 'turbo': use one of default"),
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
        let out = try tempDir()
        let known = ["default", "throughput"]
        XCTAssertThrowsError(try RunSettings(profiles: ["default", "turbo"], outDir: out).checkHost(knownProfiles: known))
        XCTAssertNoThrow(try RunSettings(profiles: ["throughput"], outDir: out).checkHost(knownProfiles: known))
        XCTAssertNoThrow(try RunSettings(profiles: ["turbo"], outDir: out).checkHost(knownProfiles: nil))
    }

    func testOutputCheckLeavesNothingBehind() throws {
        let dir = try tempDir()
        try RunSettings(outDir: dir + "/a/b/c", name: "x").checkHost(knownProfiles: nil)
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
