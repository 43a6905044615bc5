import Balancing
import Foundation
import Results
import SystemKit
import Tuner
import XCTest
@testable import Experiments
import Vocabulary

/// The balancer as a matrix dimension: grouping, skipping what a balancer cannot run,
/// refusing a balancer that can run nothing, and the runner building one lab per group.
final class BalancerMatrixTests: XCTestCase {
    private func settings(modes: [LabMode], schedulers: [Scheduler], balancers: [BalancerKind],
                          profiles: [String] = ["default"]) -> RunSettings {
        RunSettings(modes: modes, schedulers: schedulers, profiles: profiles, reals: 4, weightSets: [[5, 5, 1, 1]],
                    load: .http, connections: 8, rate: nil, duration: 2, warmup: 1, repeats: 1,
                    outDir: "results", name: "t", balancers: balancers)
    }

    /// nftables as the issue describes it: NAT only, no least-connection scheduler.
    private let nftablesLike: CellRefusal = { cell in
        guard cell.balancer == .nftables else { return nil }
        if cell.mode != .nat { return "balancer nftables forwards by NAT only: use --mode nat" }
        if cell.scheduler == .lc { return "balancer nftables has no scheduler lc: use rr or wrr" }
        return nil
    }

    func testOneGroupPerModeAndBalancerInOptionOrder() {
        let m = Matrix(settings(modes: [.nat, .dr], schedulers: [.rr, .lc], balancers: [.ipvs, .nftables]),
                       refusal: nftablesLike)
        XCTAssertEqual(m.groups.map { "\($0.mode.rawValue) \($0.balancer.rawValue)" }, ["nat ipvs", "nat nftables", "dr ipvs"])
        XCTAssertEqual(m.groups[0].cells.map(\.scheduler), [.rr, .lc])
        XCTAssertEqual(m.groups[1].cells.map(\.scheduler), [.rr])
        XCTAssertTrue(m.groups.allSatisfy { g in g.cells.allSatisfy { $0.balancer == g.balancer && $0.mode == g.mode } })
        XCTAssertEqual(m.count, 5)
        XCTAssertEqual(m.notMeasured.map(\.label), ["nat nftables lc default", "dr nftables rr default", "dr nftables lc default"])
        XCTAssertEqual(m.notMeasured[0].reason, "balancer nftables has no scheduler lc: use rr or wrr")
        XCTAssertEqual(m.groups[0].cells[0].id, "nat-rr-default-w5.5.1.1", "IPVS cells keep their labels")
        XCTAssertEqual(m.groups[1].cells[0].id, "nat-nftables-rr-default-w5.5.1.1")
        XCTAssertEqual(Set(m.cells.map(\.id)).count, m.count)
    }

    func testABalancerThatCanRunNoCellIsRefusedWithItsReason() {
        let s = settings(modes: [.dr], schedulers: [.rr], balancers: [.ipvs, .nftables])
        XCTAssertThrowsError(try Matrix.checked(s, refusal: nftablesLike)) { error in
            XCTAssertEqual(error as? InvalidInput, InvalidInput(
                "--balancer nftables can run none of the requested cells: balancer nftables forwards by NAT only: use --mode nat"))
        }
        let partly = settings(modes: [.nat, .dr], schedulers: [.rr, .lc], balancers: [.ipvs, .nftables])
        XCTAssertEqual(try Matrix.checked(partly, refusal: nftablesLike).notMeasured.count, 3)
    }

    func testBalancersDefaultToIPVSAndRepeatsCollapse() throws {
        XCTAssertEqual(try RunSettings(outDir: "results").balancers, [.ipvs])
        XCTAssertEqual(try RunSettings(outDir: "results", balancers: [.nftables, .ipvs, .nftables]).balancers,
                       [.nftables, .ipvs])
        XCTAssertEqual(Matrix(try RunSettings(outDir: "results")).groups.map(\.balancer), [.ipvs, .ipvs, .ipvs])
    }

    /// IPVS runs every default cell: the production refusal skips nothing of an IPVS run.
    func testDirectorRefusalPassesIPVSAndAsksTheProfileLast() {
        var asked: [String] = []
        let refusal = Matrix.directorRefusal { profile, balancer in
            asked.append("\(profile) \(balancer.rawValue)")
            return profile == "ipvs-only" ? "no" : nil
        }
        let m = Matrix(settings(modes: [.nat, .dr, .tun], schedulers: RunSettings.defaultSchedulers, balancers: [.ipvs],
                                profiles: ["default", "ipvs-only"]), refusal: refusal)
        XCTAssertEqual(m.count, 12)
        XCTAssertEqual(m.notMeasured.count, 12)
        XCTAssertEqual(asked.count, 24)
        XCTAssertEqual(asked.first, "default ipvs")
    }

    /// A profile with IPVS settings does not tune another balancer's lab; one without does.
    func testProfilesWithIPVSSettingsAreRefusedForOtherBalancers() throws {
        let profiles = CLI.packageRoot.appendingPathComponent("profiles").path
        let tuning = LabTuning(library: ProfileLibrary(directory: profiles))
        XCTAssertNil(tuning.refusal(profile: "conn-churn", balancer: .ipvs))
        XCTAssertNil(tuning.refusal(profile: "default", balancer: .nftables))
        let reason = try XCTUnwrap(tuning.refusal(profile: "conn-churn", balancer: .haproxy))
        XCTAssertTrue(reason.hasPrefix("profile conn-churn sets IPVS timeouts 60 10 30, net.ipv4.vs.conn_reuse_mode"), reason)
        XCTAssertTrue(reason.contains("balancer haproxy"), reason)
        XCTAssertFalse(reason.contains("\n"))
        let m = Matrix(settings(modes: [.nat], schedulers: [.rr], balancers: [.ipvs, .haproxy],
                                profiles: ["default", "conn-churn"]),
                       refusal: { cell in tuning.refusal(profile: cell.profile, balancer: cell.balancer) })
        XCTAssertEqual(m.cells.map { "\($0.balancer.rawValue) \($0.profile)" },
                       ["ipvs default", "ipvs conn-churn", "haproxy default"])
        XCTAssertEqual(m.notMeasured.map(\.label), ["nat haproxy rr conn-churn"])
    }

    func testRunnerBuildsOneLabPerGroupAndCellsNameTheirBalancer() throws {
        let journal = Journal()
        let labs = FakeLabs(journal: journal)
        var runner = MatrixRunner(settings: settings(modes: [.nat], schedulers: [.rr, .lc], balancers: [.ipvs, .nftables]),
                                  labs: labs, load: FakeLoad(journal: journal, labs: labs), meter: FakeMeter(journal: journal),
                                  tuning: FakeTuning(journal: journal), interrupted: { false })
        runner.refusal = nftablesLike
        var cells: [Cell] = []
        try runner.run { cells.append(CellSummarizer.cell($0)) }
        XCTAssertEqual(journal.events.filter { $0.hasPrefix("up") || $0.hasPrefix("down") },
                       ["up nat 4", "down nat", "up nat nftables 4", "down nat"])
        XCTAssertEqual(labs.built.map(\.balancer), [.ipvs, .nftables])
        XCTAssertEqual(cells.map(\.balancer), [.ipvs, .ipvs, .nftables])
        XCTAssertEqual(cells.map(\.scheduler), [.rr, .lc, .rr])
        XCTAssertEqual(Set(cells.map(\.key)).count, 3, "the balancer keeps nat/rr apart")
        let cost = try XCTUnwrap(cells[2].plainForward, "director CPU per packet is measured for every balancer")
        XCTAssertGreaterThan(cost.usPerPacketIPVS, 0)
        XCTAssertEqual(cost.ipvsPacketsDuringPlain, 0)
    }

    /// `run --balancer nftables --mode dr`: refused before anything is built, one line, exit 2.
    func testCLIRefusesABalancerThatCanRunNothing() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lvsbench-bal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("results").path
        let r = try CLI.run(["run", "--mode", "dr", "--balancer", "nftables", "--out", out], prefix: "lvsEm", timeout: 60)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("lvsbench: --balancer nftables can run none of the requested cells: "), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path))
        let bogus = try CLI.run(["run", "--balancer", "ipvs,bogus", "--out", out], prefix: "lvsEm", timeout: 60)
        XCTAssertEqual(bogus.status, 2, bogus.stderr)
        XCTAssertTrue(bogus.stderr.contains("unknown balancer 'bogus'"), bogus.stderr)
        XCTAssertEqual(try CLI.namespaces(prefix: "lvsEm"), [])
    }
}
