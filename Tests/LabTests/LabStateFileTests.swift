import Foundation
@testable import Lab
import SystemKit
import TestSupport
import XCTest

/// Reading state.json: versions, records that are not the lab's, salvage of a damaged file,
/// the owner check, and a fuzz of the reader. No root needed.
final class LabStateFileTests: XCTestCase {
    private func decode(_ text: String) throws -> LabState {
        try LabStore.decode(Data(text.utf8), name: "probe", path: RecordedLabState.path)
    }

    private var recorded: String { String(decoding: RecordedLabState.data, as: UTF8.self) }

    private func kind(of text: String) -> LabStateError.Kind? {
        do { _ = try decode(text); return nil } catch let error as LabStateError { return error.kind } catch {
            XCTFail("untyped error \(error)")
            return nil
        }
    }

    func testFormat1FileIsReadAndWrittenBackAsTheCurrentFormat() throws {
        let state = try decode(recorded)
        XCTAssertEqual(state.name, "probe")
        XCTAssertNil(state.formatVersion, "a file without the field is format 1")
        XCTAssertNil(state.ownerStartTime)
        var current = state
        current.formatVersion = LabState.currentFormatVersion
        let written = String(decoding: try JSONCoding.encode(current), as: UTF8.self)
        XCTAssertTrue(written.contains("\"formatVersion\" : \(LabState.currentFormatVersion)"), written)
        XCTAssertEqual(try decode(written), current)
    }

    func testNewerFormatIsForeign() throws {
        let newer = recorded.replacingOccurrences(of: "{\n  \"agentAddress\"", with: "{\n  \"formatVersion\" : 3,\n  \"agentAddress\"")
        XCTAssertEqual(kind(of: newer), .foreign(version: 3))
        do { _ = try decode(newer) } catch let error as LabStateError {
            XCTAssertEqual(error.exitStatus, .failure)
            XCTAssertTrue(error.description.contains("format version 3"), error.description)
            XCTAssertFalse(error.description.contains("\n"))
        }
        let wrongType = recorded.replacingOccurrences(of: "{\n  \"agentAddress\"", with: "{\n  \"formatVersion\" : \"2\",\n  \"agentAddress\"")
        XCTAssertEqual(kind(of: wrongType), .unreadable)
    }

    func testCorruptAndTruncatedFilesAreUnreadableInOneLine() throws {
        for text in [String(recorded.prefix(recorded.count / 2)), "", "[]", "null", recorded.replacingOccurrences(of: "\"mode\" : \"nat\"", with: "\"mode\" : 7")] {
            XCTAssertEqual(kind(of: text), .unreadable, text)
        }
        do { _ = try decode(String(recorded.prefix(100))) } catch let error as LabStateError {
            XCTAssertEqual(error.reason, "not valid JSON")
            XCTAssertFalse(error.description.contains("\n"))
        }
    }

    /// A file that decodes but records something that is not this lab's must not be acted on:
    /// `down` would delete that namespace or kill that process.
    func testRecordsThatAreNotTheLabsOwnAreRefused() {
        let cases = [
            recorded.replacingOccurrences(of: "\"hc-probe-client\",", with: "\"hc-other-client\","),
            recorded.replacingOccurrences(of: "\"hc-probe-real1\"\n  ]", with: "\"hc-probe-real1\",\n    \"netns-of-someone\"\n  ]"),
            recorded.replacingOccurrences(of: "\"umid=hc-probe\"", with: "\"umid=hc-probe2\""),
            recorded.replacingOccurrences(of: "\"umid=hc-probe\"", with: "\"\""),
            recorded.replacingOccurrences(of: "/labs/probe\"", with: "/labs/other\""),
            recorded.replacingOccurrences(of: "\"name\" : \"probe\"", with: "\"name\" : \"other\""),
            recorded.replacingOccurrences(of: "\"name\" : \"real1\",\n      \"namespace\"", with: "\"name\" : \"realX\",\n      \"namespace\""),
        ]
        for (i, text) in cases.enumerated() {
            XCTAssertNotEqual(text, recorded, "case \(i) did not change the file")
            XCTAssertEqual(kind(of: text), .unreadable, "case \(i)")
        }
    }

    func testANamespaceBelongsOnlyToItsOwnLab() {
        XCTAssertTrue(LabState.namespace("hc-a-client", belongsTo: "a", prefix: "hc"))
        XCTAssertTrue(LabState.namespace("hc-a-real12", belongsTo: "a", prefix: "hc"))
        XCTAssertFalse(LabState.namespace("hc-a-b-client", belongsTo: "a", prefix: "hc"), "lab a-b's, not a's")
        XCTAssertTrue(LabState.namespace("hc-a-b-client", belongsTo: "a-b", prefix: "hc"))
        XCTAssertFalse(LabState.namespace("hc-a-real", belongsTo: "a", prefix: "hc"))
        XCTAssertFalse(LabState.namespace("hc-a-real+1", belongsTo: "a", prefix: "hc"))
        XCTAssertFalse(LabState.namespace("hc-a-", belongsTo: "a", prefix: "hc"))
        XCTAssertFalse(LabState.namespace("hcx-a-client", belongsTo: "a", prefix: "hc"))
    }

    func testSalvageReadsTheCompleteProcessEntriesOfATruncatedFile() throws {
        let cut = try XCTUnwrap(recorded.range(of: "\"responder real1\""))
        let truncated = Data(recorded[..<cut.lowerBound].utf8)
        XCTAssertEqual(kind(of: String(decoding: truncated, as: UTF8.self)), .unreadable)
        let salvaged = SalvagedLabState.scan(truncated, name: "probe", prefix: "hc")
        XCTAssertEqual(salvaged.processes.map(\.label), ["uml director", "nginx real1"])
        XCTAssertEqual(salvaged.processes.map(\.pid), [18259, 19115])
        XCTAssertEqual(salvaged.ownerPid, 18206)
        XCTAssertEqual(salvaged.prefix, "hc")
        // An entry whose marker is another lab's is not salvaged.
        let foreign = recorded.replacingOccurrences(of: "\"umid=hc-probe\"", with: "\"umid=hc-probe2\"")
        XCTAssertEqual(SalvagedLabState.scan(Data(foreign.utf8), name: "probe", prefix: "hc").processes.map(\.label),
                       ["nginx real1", "responder real1"])
        XCTAssertEqual(SalvagedLabState.scan(Data("garbage".utf8), name: "probe", prefix: "hc"), SalvagedLabState())
    }

    /// The owner is alive only while the same process (pid and start time) runs; a format 1
    /// state, without a start time, needs a live lvsbench at that pid.
    func testLiveOwnerIsTheSameProcessNotJustTheSamePid() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("owner-\(getpid()).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let pid = try DetachedProcess.spawn(["sleep", "30"], log: log)
        defer { kill(pid, SIGKILL); _ = DetachedProcess.isAlive(pid) }
        let started = try XCTUnwrap(DetachedProcess.startTime(of: pid))
        var state = try decode(recorded)
        state.ownerPid = pid
        state.ownerStartTime = started
        XCTAssertEqual(state.liveOwner, pid)
        state.ownerStartTime = started + 1
        XCTAssertNil(state.liveOwner, "a reused pid is not the owner")
        state.ownerStartTime = nil
        XCTAssertNil(state.liveOwner, "format 1: `sleep` is not an lvsbench")
        state.ownerPid = getpid()
        state.ownerStartTime = DetachedProcess.startTime(of: getpid())
        XCTAssertNil(state.liveOwner, "this process may remove its own lab")
        kill(pid, SIGKILL)
        while DetachedProcess.isAlive(pid) { usleep(10_000) }
        state.ownerPid = pid
        state.ownerStartTime = started
        XCTAssertNil(state.liveOwner)
    }

    /// Thousands of seeded mutations of a real state.json: reading never crashes, and either
    /// yields a state whose every record is the lab's, or a `LabStateError`. Salvage never
    /// crashes and keeps only the lab's processes. Replay a failure with
    /// LVSBENCH_FUZZ_SEED=<seed printed below>.
    func testFuzzedStateFilesFailTypedAndNeverCrash() throws {
        var fuzzer = Fuzzer("state.json", defaultSeed: 20_261_203)
        let seed = fuzzer.seed
        let original = [UInt8](RecordedLabState.data)
        var accepted = 0, rejected = 0
        for i in 0..<3000 {
            let input = StateMutator.mutate(original, using: &fuzzer)
            do {
                let state = try LabStore.decode(Data(input), name: "probe", path: RecordedLabState.path)
                XCTAssertNil(state.ownershipProblem(name: "probe"), "seed \(seed) input \(i)")
                XCTAssertNil(state.structureProblem, "seed \(seed) input \(i)")
                _ = RunningLab(state: state)
                accepted += 1
            } catch let error as LabStateError {
                XCTAssertFalse(error.description.contains("\n"), "seed \(seed) input \(i): \(error.description)")
                rejected += 1
            } catch {
                XCTFail("seed \(seed) input \(i): untyped error \(error)")
            }
            let salvaged = SalvagedLabState.scan(Data(input), name: "probe", prefix: "hc")
            for p in salvaged.processes {
                XCTAssertTrue(p.pid > 1 && LabState.marker(p.marker, belongsTo: "probe", prefix: "hc"), "seed \(seed) input \(i): \(p)")
            }
        }
        print("state.json fuzz: 3000 inputs, \(accepted) read, \(rejected) refused with LabStateError")
        XCTAssertGreaterThan(rejected, 1000, "the mutations hardly damaged anything")
    }
}

/// Damages a JSON file the ways files get damaged or tampered with: the fuzzer's byte and
/// number mutations with JSON's own tokens, and string values swapped for other strings of
/// the file (another lab's namespace or marker in the right place).
enum StateMutator {
    static let tokens = ["{", "}", "[", "]", "\"", ",", ":", "null", "true", "-1", "0", "1e999", "99999999999999999999",
                         "\"\"", "\"umid=hc-probe\"", "\"hc-other-client\"", "\\u0000", "\"formatVersion\" : 9,", "[[[[[[", "\u{FFFF}"]

    static func mutate(_ input: [UInt8], using fuzzer: inout Fuzzer) -> [UInt8] {
        var bytes = fuzzer.chance(70) ? fuzzer.mutate(input, tokens: tokens) : input
        if bytes == input || fuzzer.chance(30) { swapStringValue(&bytes, using: &fuzzer) }
        return bytes
    }

    static func swapStringValue(_ bytes: inout [UInt8], using fuzzer: inout Fuzzer) {
        let quotes = bytes.indices.filter { bytes[$0] == 0x22 }
        guard quotes.count >= 4 else { return }
        let a = fuzzer.int(0..<(quotes.count / 2)) * 2, b = fuzzer.int(0..<(quotes.count / 2)) * 2
        let replacement = Array(bytes[quotes[b]...quotes[b + 1]])
        bytes.replaceSubrange(quotes[a]...quotes[a + 1], with: replacement)
    }
}
