import Balancing
import Foundation
import Lab
import LoadGen
import Results
import SystemKit
import Vocabulary

/// Grows the number of virtual services a balancer holds, per balancer in one NAT lab with
/// rr. For each count N it installs N - 1 fillers and the measured service (the lab's own,
/// removed first and re-added last, `ScaleServices`), timing the balancer's `install(all:)`;
/// times one live weight change; measures a window of new-connection load to the measured
/// service with the meter watching the director; removes the fillers, timed too. Labs are
/// built and cleaned up by `LabBench.eachLab`, windows measured by `LabBench.measure`.
public struct ScaleRunner {
    public var settings: ScaleSettings
    public var bench: LabBench
    /// The balancer of kind `kind` in `lab`; production: `DirectorBalancer.on` its director,
    /// with the lab's directory (where HAProxy keeps its configuration).
    public var balancer: (any ExperimentLab, BalancerKind) -> any Balancer = { lab, kind in
        DirectorBalancer.on(lab.director, kind: kind, directory: lab.tuningTarget.labDirectory)
    }

    /// Scale applies no tuning, so the bench has none to restore.
    public init(settings: ScaleSettings, bench: LabBench) {
        self.settings = settings
        self.bench = bench
        self.bench.tuning = nil
    }

    /// A lab of the run: NAT, with one balancer.
    struct LabItem {
        var balancer: BalancerKind
        var mode: LabMode { .nat }
    }

    /// Measures every balancer; `onLab` learns each lab once it is up, `onCurve` gets each
    /// balancer's curve once its lab is down.
    public func run(onLab: (any ExperimentLab) throws -> Void = { _ in },
                    onCurve: (BalancerKind, ScaleCurve) throws -> Void) throws {
        try bench.eachLab(settings.balancers.map(LabItem.init), mode: \.mode, balancer: \.balancer, reals: settings.reals,
                          onLab: onLab, work: { item, lab in
            (item.balancer, try curve(item.balancer, in: lab, bench: bench))
        }, kept: { kind, curve in
            try onCurve(kind, curve)
            try bench.checkInterrupted()
            bench.progress.finish("\(kind.rawValue): \(curve.verdict.map(ScaleRunner.summary) ?? "measured")")
        })
    }

    /// The lab's service the load goes to: VIP and the port of the load's protocol.
    func measuredService(_ lab: any ExperimentLab) -> VirtualService {
        let target = lab.serviceTarget
        return VirtualService(address: target.address, port: settings.load == .tcpCRR ? target.tcpPort : target.httpPort)
    }

    private func curve(_ kind: BalancerKind, in lab: any ExperimentLab, bench: LabBench) throws -> ScaleCurve {
        let balancer = balancer(lab, kind)
        let service = measuredService(lab)
        guard let measured = try balancer.services().first(where: { $0.service == service }), !measured.reals.isEmpty else {
            throw RuntimeFailure("the lab's \(kind.rawValue) balancer has no service \(service.endpoint) with reals")
        }
        var points: [ScalePoint] = []
        for n in settings.services {
            try bench.checkInterrupted()
            points.append(try point(n, measured: measured, balancer: balancer, kind: kind, in: lab, bench: bench))
            let p = points[points.count - 1]
            bench.progress.finish("\(kind.rawValue): \(n) services: programmed in \(String(format: "%.3f", p.programSeconds)) s, "
                + "p50 \(Int(p.p50US)) µs, \(Int(p.connectionsPerSecond.rounded())) conn/s")
        }
        return ScaleCurve(points: points, load: settings.load.rawValue)
    }

    private func point(_ n: Int, measured: ServiceSpec, balancer: any Balancer, kind: BalancerKind,
                       in lab: any ExperimentLab, bench: LabBench) throws -> ScalePoint {
        let label = "\(kind.rawValue) \(n) services"
        let ordered = ScaleServices.ordered(count: n, measured: measured)
        bench.progress.show("\(kind.rawValue): programming \(n) services ...")
        bench.progress.phase("program", label)
        try balancer.remove(measured.service)
        let program = try Self.seconds { try balancer.install(all: ordered) }
        var changed = measured.reals[0]
        changed.weight += 1
        let change = try Self.seconds { try balancer.apply(.real(measured.service, changed)) }
        try balancer.apply(.real(measured.service, measured.reals[0]))
        let plan = WindowPlan(kind: settings.load, connections: settings.connections, duration: settings.duration,
                              rate: nil, warmUp: settings.warmup, references: References(before: [], after: []),
                              announce: { stage in
            switch stage {
            case .warmUp:
                bench.progress.show("\(kind.rawValue): \(n) services, warm-up")
                bench.progress.phase("warm-up", label)
            case .settling: bench.progress.show("\(kind.rawValue): \(n) services, measuring")
            case .window: bench.progress.phase("window", label)
            case .measuring, .reference: break
            }
        })
        let window = try bench.measure(plan, in: lab)
        bench.progress.show("\(kind.rawValue): removing \(n - 1) fillers ...")
        bench.progress.phase("remove", label)
        let remove = try Self.seconds { try balancer.remove(all: ordered.dropLast().map(\.service)) }
        let load = window.balanced
        let e = load.errors
        return ScalePoint(services: n, programSeconds: program, changeSeconds: change, removeSeconds: remove,
                          p50US: Double(load.latency_us.p50), p99US: Double(load.latency_us.p99),
                          connectionsPerSecond: load.duration_s > 0 ? Double(load.connections_opened) / load.duration_s : 0,
                          directorCPUPct: window.counters.director?.busyPercent ?? window.counters.busyPercent,
                          errors: Int(clamping: e.transport + e.status))
    }

    /// Wall-clock seconds `work` took.
    static func seconds(_ work: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try work()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The progress line's verdict: "p50 ×1.1, programming per service ×0.4 from 1 to 1000".
    static func summary(_ v: ScaleVerdict) -> String {
        "p50 ×\(String(format: "%.2f", v.latencyRatio)), programming per service ×\(String(format: "%.2f", v.programRatio)) "
            + "from \(v.smallest) to \(v.largest) services"
    }
}
