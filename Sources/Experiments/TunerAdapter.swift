import Foundation
import Lab
import SystemKit
import Tuner
import Vocabulary

/// The tuner as the runner's profile tuning: resolves profile names in the shipped library
/// and applies them to every node of the lab; `restore` undoes from the lab's undo log.
public final class LabTuning: ProfileTuning {
    public let library: ProfileLibrary
    private var target: TuningTarget?

    public init(library: ProfileLibrary) { self.library = library }

    /// The shipped library, or nil where none is installed (then only `default` is known).
    public static func locateLibrary() -> ProfileLibrary? { try? ProfileLibrary.locate() }

    /// Keys the lab's kernels lack are skipped (a UML director is an older kernel); keys
    /// that would change the host outside the lab are refused, always.
    static let options = TuningOptions(skipMissing: true, allowGlobal: false)

    public func check(profiles: [String], on lab: any ExperimentLab) throws {
        let target = lab.tuningTarget
        for name in profiles {
            do {
                _ = try TuningPlanner.plan(profile: try library.resolve(name), nodes: target.nodes, options: Self.options)
            } catch TunerError.globalKeys(let node, let keys) {
                throw InvalidInput("profile \(name) sets \(keys.joined(separator: ", ")), which on \(node) would change "
                                   + "the whole host: lvsbench run never does; pick another profile or drop those keys")
            }
        }
    }

    /// Why `profile` cannot tune a lab balanced by `balancer`, or nil. IPVS timeouts and
    /// net.ipv4.vs.* keys configure IPVS alone: under another balancer they would change
    /// nothing measured (or fail, with ip_vs not loaded), so such a cell is not measured
    /// rather than measured under a profile that silently lost part of itself.
    public func refusal(profile: String, balancer: BalancerKind) -> String? {
        guard let resolved = try? library.resolve(profile) else { return nil }
        return Tuner.balancerRefusal(resolved, balancer: balancer)
    }

    public func apply(profile: String, to lab: any ExperimentLab) throws {
        let target = lab.tuningTarget
        self.target = target
        _ = try Tuner.apply(try library.resolve(profile), to: target, options: Self.options,
                            interrupted: { SignalTrap.interrupted })
    }

    public func restore() throws {
        guard let target else { return }
        self.target = nil
        try Tuner.reset(target)
    }
}
