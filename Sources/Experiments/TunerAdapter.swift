import Foundation
import Lab
import SystemKit
import Tuner

/// The tuner as the runner's profile tuning: resolves profile names in the shipped library
/// and applies them to every node of the lab; `restore` undoes from the lab's undo log.
public final class LabTuning: ProfileTuning {
    public let library: ProfileLibrary
    private var target: TuningTarget?

    public init(library: ProfileLibrary) { self.library = library }

    /// The shipped library, or nil where none is installed (then only `default` is known).
    public static func locateLibrary() -> ProfileLibrary? { try? ProfileLibrary.locate() }

    public func apply(profile: String, to lab: any ExperimentLab) throws {
        guard let engine = lab as? EngineLab else {
            throw RuntimeFailure("profile \(profile) can only be applied to a lab built by the lab engine")
        }
        let target = TuningTarget(nodes: [engine.lab.client, engine.lab.router, engine.lab.director] + engine.lab.reals,
                                  labDirectory: engine.lab.state.labDirectory)
        self.target = target
        _ = try Tuner.apply(try library.resolve(profile), to: target, options: TuningOptions(skipMissing: true),
                            interrupted: { SignalTrap.interrupted })
    }

    public func restore() throws {
        guard let target else { return }
        self.target = nil
        try Tuner.reset(target)
    }
}
