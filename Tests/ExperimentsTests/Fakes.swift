import Balancing
import Foundation
import IPVSControl
import Lab
import LoadGen
import SystemKit
import Tuner
@testable import Experiments
import Vocabulary

/// A node that runs nothing: the runners' tests exercise orchestration, not the host.
struct FakeNode: LabNode {
    let name: String
    let role: NodeRole
    func run(_ argv: [String], timeout: Double?) throws -> ProcessResult {
        ProcessResult(status: 0, stdout: "", stderr: "")
    }
    func readFile(_ path: String) throws -> String { "" }
    func wrap(_ argv: [String]) -> [String] { argv }
}

/// A node that runs nothing but journals every command run in it, as `<name> <argv>`.
struct JournalingNode: LabNode {
    let name: String
    let role: NodeRole
    let journal: Journal
    func run(_ argv: [String], timeout: Double?) throws -> ProcessResult {
        journal.events.append(([name] + argv).joined(separator: " "))
        return ProcessResult(status: 0, stdout: "", stderr: "")
    }
    func readFile(_ path: String) throws -> String { "" }
    func wrap(_ argv: [String]) -> [String] { argv }
}

/// Records every call the runners make, in order, across labs, load, meter and tuning.
/// Single-threaded in every test: the runners call it in order from one thread.
final class Journal: @unchecked Sendable {
    var events: [String] = []
}

final class FakeLab: ExperimentLab {
    let mode: LabMode
    var balancer: BalancerKind = .ipvs
    /// What `balancerCounters` answers, one reading per call (the last one repeats).
    var counterReadings: [[ServiceReading]] = []
    private(set) var counterReads = 0
    /// When set, `balancerCounters` fails with this message.
    var counterFailure: String?
    func balancerCounters() throws -> [ServiceReading] {
        if let counterFailure { throw RuntimeFailure(counterFailure) }
        defer { counterReads += 1 }
        guard !counterReadings.isEmpty else { return [] }
        return counterReadings[min(counterReads, counterReadings.count - 1)]
    }
    let journal: Journal
    let directorHost = "fake"
    let client: any LabNode = FakeNode(name: "client", role: .client)
    var director: any LabNode = FakeNode(name: "director", role: .director)
    let reals: [any LabNode]
    var weights: [Int] = []
    /// When set, `tearDown` fails with this message (after journaling it).
    var tearDownFailure: String?
    /// Runs inside `tearDown` (a signal arriving during teardown).
    var onTearDown: (() -> Void)?

    init(mode: LabMode, reals: Int, journal: Journal) {
        self.mode = mode
        self.journal = journal
        self.reals = (1...reals).map { FakeNode(name: "real\($0)", role: .real) }
    }
    var realAddresses: [String] { reals.indices.map { "198.18.1.\($0 + 1)" } }
    /// Never touched: the runners' tests use `FakeTuning`, which journals instead of tuning.
    var tuningTarget: TuningTarget {
        TuningTarget(nodes: [client, director] + reals, labDirectory: "/nonexistent/fake-lab-\(mode.rawValue)")
    }
    var serviceTarget: LoadEndpoint { LoadEndpoint(address: "198.18.0.100") }
    func directTarget(real index: Int) -> LoadEndpoint { LoadEndpoint(address: "198.18.1.\(index + 1)") }
    var plainForwardTarget: LoadEndpoint? { LoadEndpoint(address: FakeLab.plainAddress) }
    static let plainAddress = "198.19.253.2"
    func configure(scheduler: Scheduler, weights: [Int]) throws {
        self.weights = weights
        journal.events.append("configure \(scheduler.rawValue) \(weights.map(String.init).joined(separator: ","))")
    }
    func tearDown() throws {
        journal.events.append("down \(mode.rawValue)")
        onTearDown?()
        if let tearDownFailure { throw RuntimeFailure(tearDownFailure) }
    }
}

final class FakeLabs: LabFactory {
    let journal: Journal
    var built: [FakeLab] = []
    var tearDownFailure: String?
    var onTearDown: (() -> Void)?
    /// Labs built from now on journal the commands run in their director.
    var journalDirector = false
    init(journal: Journal) { self.journal = journal }
    func build(mode: LabMode, balancer: BalancerKind, reals: Int) throws -> any ExperimentLab {
        journal.events.append(balancer == .ipvs ? "up \(mode.rawValue) \(reals)" : "up \(mode.rawValue) \(balancer.rawValue) \(reals)")
        let lab = FakeLab(mode: mode, reals: reals, journal: journal)
        lab.balancer = balancer
        lab.tearDownFailure = tearDownFailure
        lab.onTearDown = onTearDown
        if journalDirector { lab.director = JournalingNode(name: "director", role: .director, journal: journal) }
        built.append(lab)
        return lab
    }
}

/// Answers like a director whose reals each serve `perReal` req/s up to `limit` in total,
/// splitting requests by the lab's current weights.
final class FakeLoad: LoadSource {
    let journal: Journal
    let labs: FakeLabs
    var perReal = 500.0
    var limit = 100_000.0
    var failOnCall: Int?
    var onCall: ((Int) -> Void)?
    private(set) var calls = 0

    init(journal: Journal, labs: FakeLabs) {
        self.journal = journal
        self.labs = labs
    }

    func run(from client: any LabNode, kind: LoadKind, target: LoadEndpoint, connections: Int,
             duration: Double, rate: Double?) throws -> LoadReport {
        calls += 1
        onCall?(calls)
        journal.events.append("load \(target.address) \(Int(duration * 1000))ms")
        if calls == failOnCall { throw RuntimeFailure("load failed on purpose") }
        let weights = labs.built.last?.weights ?? [1]
        let direct = target.address != "198.18.0.100"
        let active = direct ? 1 : weights.filter { $0 > 0 }.count
        let rps = min(perReal * Double(active), direct ? 2 * perReal : limit)
        let requests = UInt64(rps * duration)
        let sum = weights.reduce(0, +)
        var perServer: [String: UInt64] = [:]
        if direct {
            perServer["real1"] = requests
        } else {
            for (i, w) in weights.enumerated() where w > 0 {
                perServer["real\(i + 1)"] = requests * UInt64(w) / UInt64(sum)
            }
        }
        return FakeLoad.report(requests: requests, duration: duration, perServer: perServer,
                               connections: connections, close: kind.closesConnections)
    }

    static func report(requests: UInt64, duration: Double, perServer: [String: UInt64],
                       connections: Int = 8, close: Bool = false) -> LoadReport {
        LoadReport(requests: requests, duration_s: duration, rps: Double(requests) / duration,
                   connections_opened: close ? requests : UInt64(connections), errors: .init(),
                   latency_us: .init(p50: 100, p90: 200, p99: 400, p999: 800, max: 1000, mean: 120),
                   per_server: perServer, timeline: [], status_classes: .init(),
                   bytes_received: requests * 850, bytes_sent: requests * 80, cpu_user_s: 0.1, cpu_sys_s: 0.1,
                   threads: 1, connections: connections, mode: close ? "http close closed-loop" : "http keepalive closed-loop",
                   target: "http://198.18.0.100/", rate: nil)
    }
}

final class FakeMeter: WindowMeter {
    let journal: Journal
    var outPackets = 10
    let settleSeconds = 0.0
    init(journal: Journal) { self.journal = journal }
    func start(lab: any ExperimentLab) throws { journal.events.append("meter start") }
    func endWindow() throws { journal.events.append("meter end") }
    func stop() throws -> WindowCounters {
        journal.events.append("meter stop")
        return WindowCounters(traffic: BalancerCounters(conns: 0, inPackets: 100, outPackets: UInt64(outPackets), inBytes: 6400, outBytes: 9000),
                              softirqPercent: 12.5, busyPercent: 30, realConnections: [4, 4, 1, 1],
                              director: DirectorReading(busyPercent: 90, seconds: 2, packets: 60_000),
                              ipvsPacketsDuringReference: 0)
    }
    func abandon() { journal.events.append("meter abandon") }
    func startReference(lab: any ExperimentLab) throws { journal.events.append("reference start") }
    func stopReference() throws -> DirectorReading {
        journal.events.append("reference stop")
        return DirectorReading(busyPercent: 50, seconds: 1, packets: 20_000)
    }
}

final class FakeTuning: ProfileTuning {
    let journal: Journal
    init(journal: Journal) { self.journal = journal }
    var refused: String?
    /// When set, every `restore` from the `restoreFailsFrom`-th on fails with this message.
    var restoreFailure: String?
    var restoreFailsFrom = 1
    private var restores = 0
    func check(profiles: [String], on lab: any ExperimentLab) throws {
        journal.events.append("check \(profiles.joined(separator: ","))")
        if let refused, profiles.contains(refused) { throw InvalidInput("profile \(refused) refused") }
    }
    func apply(profile: String, to lab: any ExperimentLab) throws { journal.events.append("tune \(profile)") }
    func restore() throws {
        journal.events.append("restore")
        restores += 1
        if let restoreFailure, restores >= restoreFailsFrom { throw RuntimeFailure(restoreFailure) }
    }
}
