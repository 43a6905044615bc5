import Balancing
import Foundation
import Lab
import LoadGen
import Results
import SystemKit
@testable import Experiments
import Vocabulary
import XCTest

/// A balancer that journals what the scale runner asks of it, holding the lab's two services.
final class FakeBalancer: Balancer, @unchecked Sendable {
    let journal: Journal
    var installed: [ServiceSpec]

    init(journal: Journal) {
        self.journal = journal
        let reals = [RealSpec(address: "198.18.1.1", port: 9000, forwarding: .nat, weight: 1),
                     RealSpec(address: "198.18.1.2", port: 9000, forwarding: .nat, weight: 1)]
        installed = [ServiceSpec(service: VirtualService(address: "198.18.0.100", port: 80), scheduler: .rr, reals: reals),
                     ServiceSpec(service: VirtualService(address: "198.18.0.100", port: 9000), scheduler: .rr, reals: reals)]
    }

    func install(_ spec: ServiceSpec) throws { throw RuntimeFailure("the scale runner installs in batch") }
    func install(all specs: [ServiceSpec]) throws {
        journal.events.append("install \(specs.count), last \(specs.last?.service.endpoint ?? "-")")
        installed += specs
    }
    func apply(_ change: BalancerChange) throws {
        guard case .real(let service, let real) = change else { return }
        journal.events.append("weight \(service.endpoint) \(real.address) \(real.weight)")
    }
    func services() throws -> [ServiceSpec] { installed }
    func counters() throws -> [ServiceReading] { [] }
    func timeouts() throws -> ConnectionTimeouts { ConnectionTimeouts(tcp: 900, tcpFin: 120, udp: 300) }
    func setTimeouts(_ timeouts: ConnectionTimeouts) throws {}
    func remove(_ service: VirtualService) throws {
        journal.events.append("remove \(service.endpoint)")
        installed.removeAll { $0.service == service }
    }
    func remove(all services: [VirtualService]) throws {
        journal.events.append("remove \(services.count)")
        installed.removeAll { services.contains($0.service) }
    }
}

final class ScaleRunnerTests: XCTestCase {
    func testFillersComeFirstOnTheirOwnPortsAndTheMeasuredServiceLast() {
        let measured = ServiceSpec(service: VirtualService(address: "198.18.1.100", port: 9000), scheduler: .rr,
                                   reals: [RealSpec(address: "198.18.2.11", port: 9000, forwarding: .nat, weight: 1)])
        let ordered = ScaleServices.ordered(count: 1000, measured: measured)
        XCTAssertEqual(ordered.count, 1000)
        XCTAssertEqual(ordered.last, measured)
        let fillers = ordered.dropLast()
        XCTAssertEqual(fillers.map(\.service.port), Array(10_000..<10_999))
        XCTAssertEqual(Set(fillers.map(\.service)).count, 999, "every filler is its own service")
        XCTAssertTrue(fillers.allSatisfy { $0.service.address == "198.18.1.100" && $0.reals == measured.reals })
        XCTAssertEqual(ScaleServices.ordered(count: 1, measured: measured), [measured])
        XCTAssertEqual(ScaleServices.ordered(count: ScaleSettings.maxServices, measured: measured).dropLast().last?.service.port,
                       19_998, "the largest count stays below port 20000")
    }

    func testEachCountProgramsMeasuresAndRemovesTheFillersInOneLabPerBalancer() throws {
        let journal = Journal()
        let labs = FakeLabs(journal: journal)
        let balancer = FakeBalancer(journal: journal)
        let bench = LabBench(labs: labs, load: FakeLoad(journal: journal, labs: labs), meter: FakeMeter(journal: journal),
                             interrupted: { false })
        let settings = try ScaleSettings(services: [100, 1, 10], duration: 1, warmup: 0, outDir: "/tmp", name: "t")
        var runner = ScaleRunner(settings: settings, bench: bench)
        runner.balancer = { _, _ in balancer }
        var curves: [(BalancerKind, ScaleCurve)] = []
        // The fake load splits by the lab's weights, which scale leaves as the lab built them (1 each).
        try runner.run(onLab: { ($0 as? FakeLab)?.weights = [1, 1] }) { curves.append(($0, $1)) }

        XCTAssertEqual(curves.map(\.0), [.ipvs])
        let points = try XCTUnwrap(curves.first?.1.points)
        XCTAssertEqual(points.map(\.services), [1, 10, 100])
        XCTAssertEqual(curves.first?.1.load, "tcp-crr")
        for p in points {
            XCTAssertGreaterThan(p.programSeconds, 0)
            XCTAssertGreaterThan(p.changeSeconds, 0)
            XCTAssertEqual(p.p50US, 100)
            XCTAssertEqual(p.p99US, 400)
            XCTAssertEqual(p.directorCPUPct, 90, "the DirectorReading's CPU, as run's window has")
            XCTAssertGreaterThan(p.connectionsPerSecond, 0)
        }
        let measured = "198.18.0.100:9000"
        let point10 = ["remove \(measured)", "install 10, last \(measured)", "weight \(measured) 198.18.1.1 2",
                       "weight \(measured) 198.18.1.1 1"]
        let i = try XCTUnwrap(journal.events.firstIndex(of: "install 10, last \(measured)"))
        XCTAssertEqual(Array(journal.events[(i - 1)...(i + 2)]), point10)
        XCTAssertEqual(journal.events.filter { $0.hasPrefix("remove ") && !$0.contains(":") }, ["remove 0", "remove 9", "remove 99"])
        XCTAssertEqual(journal.events.first, "up nat 2")
        XCTAssertEqual(journal.events.last, "down nat")
        XCTAssertEqual(try balancer.services().map(\.service.port), [80, 9000], "only the lab's own services are left")
    }

    func testHTTPCloseMeasuresTheLabsHTTPService() throws {
        let journal = Journal()
        let labs = FakeLabs(journal: journal)
        let lab = try labs.build(mode: .nat, reals: 2)
        let settings = try ScaleSettings(load: .httpClose, outDir: "/tmp")
        let runner = ScaleRunner(settings: settings, bench: LabBench(labs: labs, load: FakeLoad(journal: journal, labs: labs),
                                                                    meter: FakeMeter(journal: journal)))
        XCTAssertEqual(runner.measuredService(lab), VirtualService(address: "198.18.0.100", port: 80))
    }
}

final class ScaleSettingsTests: XCTestCase {
    func testDefaultsAreTheIssuesCountsWithIPVSAndTCPCRR() throws {
        let s = try ScaleSettings()
        XCTAssertEqual(s.balancers, [.ipvs])
        XCTAssertEqual(s.services, [1, 10, 100, 1000, 10_000])
        XCTAssertEqual(s.load, .tcpCRR)
        XCTAssertEqual(s.reals, 2)
        XCTAssertEqual(s.name, "scale")
    }

    func testCountsAreSortedAndDeduplicated() throws {
        XCTAssertEqual(try ScaleSettings(services: [1000, 1, 100, 1]).services, [1, 100, 1000])
    }

    func testOutOfRangeCountsLoadsAndRealsAreRefusedInOneLine() {
        for text in ["0", "10001", "-3", "x", ""] {
            XCTAssertThrowsError(try ScaleSettings.serviceCount(text), text) { error in
                XCTAssertTrue(error is InvalidInput)
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
        XCTAssertEqual(try ScaleSettings.serviceCount("10000"), 10_000)
        XCTAssertThrowsError(try ScaleSettings(services: [0])) { XCTAssertTrue($0 is InvalidInput) }
        XCTAssertThrowsError(try ScaleSettings(services: [10_001])) { XCTAssertTrue($0 is InvalidInput) }
        for load in ["http", "tcp-rr", "nope"] {
            XCTAssertThrowsError(try ScaleSettings.load(load), load) { XCTAssertTrue($0 is InvalidInput) }
        }
        XCTAssertThrowsError(try ScaleSettings(load: .http)) { XCTAssertTrue($0 is InvalidInput) }
        XCTAssertEqual(try ScaleSettings.load("http-close"), .httpClose)
        XCTAssertThrowsError(try ScaleSettings(reals: 0)) { XCTAssertTrue($0 is InvalidInput) }
        XCTAssertThrowsError(try ScaleSettings(connections: 0)) { XCTAssertTrue($0 is InvalidInput) }
        XCTAssertThrowsError(try ScaleSettings(name: "a/b")) { XCTAssertTrue($0 is InvalidInput) }
    }

    /// A balancer `DirectorBalancer.check` refuses for NAT with rr is refused by the settings,
    /// before any lab exists; whatever the registry accepts, the settings accept.
    func testBalancersFollowTheRegistrysVerdictForNATWithRR() {
        for kind in BalancerKind.allCases {
            let registry = Result { try DirectorBalancer.check(kind, mode: .nat, scheduler: .rr, persistence: nil) }
            let settings = Result { try ScaleSettings(balancers: [kind]) }
            switch (registry, settings) {
            case (.success, .success): break
            case (.failure(let a), .failure(let b)): XCTAssertEqual("\(a)", "\(b)", kind.rawValue)
            default: XCTFail("\(kind.rawValue): the registry and the settings disagree")
            }
        }
    }
}
