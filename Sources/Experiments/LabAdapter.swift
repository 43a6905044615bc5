import Balancing
import Foundation
import IPVSControl
import Lab
import SystemKit
import Tuner
import Vocabulary

/// A lab built by `LabEngine` for one mode of a run. It is named after this process so two
/// runs (or a run and a user's own `lab up`) never share a lab.
public final class EngineLab: ExperimentLab {
    private let lab: RunningLab
    public let mode: LabMode
    private var down = false

    init(lab: RunningLab, mode: LabMode) {
        self.lab = lab
        self.mode = mode
    }

    public var balancer: BalancerKind { lab.state.spec.balancer }
    public func balancerCounters() throws -> [ServiceReading] { try lab.balancer.counters() }
    public var directorHost: String { lab.state.directorHost.rawValue }
    public var client: any LabNode { lab.client }
    public var director: any LabNode { lab.director }
    public var reals: [any LabNode] { lab.reals }
    public var realAddresses: [String] { lab.state.reals.map(\.address) }
    public var tuningTarget: TuningTarget { TuningTarget(lab: lab) }
    public var serviceTarget: LoadEndpoint {
        LoadEndpoint(address: lab.vip, httpPort: lab.state.httpPort, tcpPort: lab.state.tcpPort)
    }

    /// The lab has one direct client-to-real path, to real1; other reals are reached only
    /// through the director.
    public func directTarget(real index: Int) -> LoadEndpoint {
        precondition(index == 0, "the lab has a direct path to real1 only")
        return LoadEndpoint(address: lab.directAddress, httpPort: lab.state.httpPort, tcpPort: lab.state.tcpPort)
    }

    /// real1's plain-forward address (see `Topology.plainAddress`).
    public var plainForwardTarget: LoadEndpoint? {
        LoadEndpoint(address: Topology.plainAddress, httpPort: lab.state.httpPort, tcpPort: lab.state.tcpPort)
    }

    public func configure(scheduler: Scheduler, weights: [Int]) throws {
        try lab.setScheduler(scheduler, weights: weights)
    }

    public func tearDown() throws {
        guard !down else { return }
        down = true
        try LabEngine.down(state: lab.state)
    }
}

/// Builds labs with `LabEngine.up`, director host chosen as `lab up --director auto` does.
public struct EngineLabFactory: LabFactory {
    public var director: DirectorChoice
    public var progress: @Sendable (String) -> Void

    public init(director: DirectorChoice = .auto, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.director = director
        self.progress = progress
    }

    /// `x<pid>-<mode>`: unique per process, within the lab's 12-character name limit.
    public static func labName(mode: LabMode, pid: Int32 = getpid()) -> String {
        "x\(pid % 100_000)-\(mode.rawValue)"
    }

    /// Labs of one mode are built one after the other (each is down before the next is
    /// up), so they share the name whatever their balancer.
    public func build(mode: LabMode, balancer: BalancerKind, reals: Int) throws -> any ExperimentLab {
        let spec = LabSpec(name: Self.labName(mode: mode), mode: mode, reals: reals,
                           scheduler: .rr, weights: nil, persistence: nil, director: director, balancer: balancer)
        return EngineLab(lab: try LabEngine.up(spec, progress: progress), mode: mode)
    }
}
