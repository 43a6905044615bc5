import Foundation
@testable import Lab
import SystemKit
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
        let seed = ProcessInfo.processInfo.environment["LVSBENCH_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        print("state.json fuzz: seed \(seed) (replay with LVSBENCH_FUZZ_SEED=\(seed))")
        var rng = SplitMix64(seed: seed)
        let original = [UInt8](RecordedLabState.data)
        var accepted = 0, rejected = 0
        for i in 0..<3000 {
            let input = StateMutator.mutate(original, rng: &rng)
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

/// A small seeded generator (SplitMix64), so a fuzz run is replayable from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Damages a JSON file the ways files get damaged or tampered with: bytes flipped, cut,
/// dropped, duplicated; numbers and strings swapped for extreme or foreign ones.
enum StateMutator {
    static let tokens = ["{", "}", "[", "]", "\"", ",", ":", "null", "true", "-1", "0", "1e999", "99999999999999999999",
                         "\"\"", "\"umid=hc-probe\"", "\"hc-other-client\"", "\\u0000", "\"formatVersion\" : 9,", "[[[[[[", "\u{FFFF}"]

    static func mutate(_ input: [UInt8], rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &rng) { once(&bytes, rng: &rng) }
        return bytes
    }

    static func once(_ bytes: inout [UInt8], rng: inout SplitMix64) {
        guard !bytes.isEmpty else { bytes = Array(tokens.randomElement(using: &rng)!.utf8); return }
        let at = Int.random(in: 0..<bytes.count, using: &rng)
        let length = min(Int.random(in: 1...40, using: &rng), bytes.count - at)
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
        case 1: bytes.removeSubrange(at..<(at + length))
        case 2: bytes.insert(contentsOf: Array(tokens.randomElement(using: &rng)!.utf8), at: at)
        case 3: bytes.removeSubrange(at...)
        case 4:
            let copy = Array(bytes[at..<(at + length)])
            bytes.insert(contentsOf: copy, at: Int.random(in: 0...bytes.count, using: &rng))
        case 5:
            // A number replaced by an extreme one.
            guard let digit = bytes[at...].firstIndex(where: { (0x30...0x39).contains($0) }) else { return }
            let end = bytes[digit...].firstIndex { !(0x30...0x39).contains($0) } ?? bytes.count
            let extreme = ["-1", "0", "1", "2147483648", "18446744073709551616", "1.5", "1e300"].randomElement(using: &rng)!
            bytes.replaceSubrange(digit..<end, with: Array(extreme.utf8))
        default:
            // A string value replaced by another string of the file.
            let quotes = bytes.indices.filter { bytes[$0] == 0x22 }
            guard quotes.count >= 4 else { return }
            let a = Int.random(in: 0..<(quotes.count / 2), using: &rng) * 2, b = Int.random(in: 0..<(quotes.count / 2), using: &rng) * 2
            let replacement = Array(bytes[quotes[b]...quotes[b + 1]])
            bytes.replaceSubrange(quotes[a]...quotes[a + 1], with: replacement)
        }
    }
}
