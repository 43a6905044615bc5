import Balancing
import Foundation
import IPVSControl
import Lab
import LoadGen
import SystemKit
import Tuner
import Vocabulary

/// What the runners, the meter and the tuning need from a lab that is up: its nodes, where
/// the load goes, how to reconfigure the service between cells, and what the tuner works
/// on. `RunningLab` (the lab target) is adapted to it in `LabAdapter.swift`; tests use an
/// in-memory lab. Nothing casts it back to the adapter: what a user needs is stated here.
public protocol ExperimentLab: AnyObject {
    var mode: LabMode { get }
    /// What balances the director's traffic in this lab.
    var balancer: BalancerKind { get }
    /// The balancer's cumulative counters, per service and per real: the meter reads them
    /// before and after a window, whatever the balancer is.
    func balancerCounters() throws -> [ServiceReading]
    /// "uml" or "native": where the director's IPVS runs.
    var directorHost: String { get }
    var client: any LabNode { get }
    var director: any LabNode { get }
    var reals: [any LabNode] { get }
    /// Each real's address as the balancer lists it, in the order of `reals` (the meter
    /// counts the connections the balancer sent to each by it).
    var realAddresses: [String] { get }
    /// Every node of the lab and its state directory, as the tuner applies and restores a
    /// profile on them.
    var tuningTarget: TuningTarget { get }
    /// The virtual service: load through the director.
    var serviceTarget: LoadEndpoint { get }
    /// Real number `index` (0-based) by its own address: load that bypasses the director.
    func directTarget(real index: Int) -> LoadEndpoint
    /// real1 reached through the director by plain routing, no IPVS (nil: the lab has none).
    var plainForwardTarget: LoadEndpoint? { get }
    /// Sets the service's scheduler and the reals' weights (0 quiesces a real).
    func configure(scheduler: Scheduler, weights: [Int]) throws
    /// Removes everything the lab created; called exactly once, also after errors.
    func tearDown() throws
}

/// Builds one lab per mode and balancer (the runner never rebuilds a lab between cells).
public protocol LabFactory {
    func build(mode: LabMode, balancer: BalancerKind, reals: Int) throws -> any ExperimentLab
}

extension LabFactory {
    /// An IPVS lab (the sweep's).
    public func build(mode: LabMode, reals: Int) throws -> any ExperimentLab {
        try build(mode: mode, balancer: .ipvs, reals: reals)
    }
}

/// Runs the load generator once; `LoadProbe` is the real one, tests answer in memory.
public protocol LoadSource {
    /// Runs the load from `client` (the lab's client node) to `target`.
    func run(from client: any LabNode, kind: LoadKind, target: LoadEndpoint, connections: Int,
             duration: Double, rate: Double?) throws -> LoadReport
}

extension LoadProbe: LoadSource {}

/// Watches the director during a measured window (the collector in production).
///
/// The window's traffic comes from the lab's balancer, its CPU from samples. The kernel folds IPVS's packet, byte and connection counters into what it reports
/// (`/proc/net/ip_vs_stats`, `ipvsadm --stats`) only every 2 seconds (the rate estimator's
/// tick), so counters are read before the window once the director has been quiet for
/// `settleSeconds`, and again `settleSeconds` after the window: `endWindow` marks the end
/// (CPU is measured up to there), the runner measures the direct path meanwhile (which
/// does not cross the director), and `stop` waits out what is left and reads the counters.
public protocol WindowMeter: ReferenceMeter {
    /// How long the director must see no traffic before its counters are current.
    var settleSeconds: Double { get }
    func start(lab: any ExperimentLab) throws
    /// The balanced load has ended: CPU figures cover the window up to here.
    func endWindow() throws
    func stop() throws -> WindowCounters
    /// Stops without a result after an error or interruption; must not throw.
    func abandon()
}

/// Applies a tuning profile to a running lab and puts everything back (the tuner).
public protocol ProfileTuning {
    /// Checks, without changing anything, that every profile can be applied to `lab`, so a
    /// profile the lab refuses stops the run before its first cell rather than midway.
    func check(profiles: [String], on lab: any ExperimentLab) throws
    func apply(profile: String, to lab: any ExperimentLab) throws
    /// Restores what `apply` changed; safe to call when nothing is applied.
    func restore() throws
}
