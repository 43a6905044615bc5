import Experiments
import Foundation
import Lab
import Results
import SystemKit
import Vocabulary

/// What `lvsbench scenario NAME` was asked for, checked: the scenario, its variants, where
/// the result goes.
public struct ScenarioSettings: Sendable {
    public var scenario: any ScenarioDefinition
    public var plans: [VariantPlan]
    public var outDir: String
    public var name: String

    /// Builds every variant's plan now, so a bad option fails before any lab exists.
    public init(scenario: any ScenarioDefinition, options: ScenarioOptions, outDir: String? = nil, name: String? = nil) throws {
        let name = name ?? scenario.name
        try RunSettings.checkName(name)
        self.scenario = scenario
        self.plans = try scenario.variants(options)
        for plan in plans { try plan.lab.spec(name: LabSpec.defaultName, director: .auto).validate() }
        guard !plans.isEmpty else { throw InvalidInput("scenario \(scenario.name): no variant selected: give --variants from \(scenario.variantNames.joined(separator: ", "))") }
        self.outDir = outDir ?? "results"
        self.name = name
    }

    /// Seconds the run will take, roughly: each variant's load plus about 20 s to build and
    /// remove its lab.
    public var estimatedSeconds: Double { plans.reduce(0) { $0 + $1.load.duration + 20 } }
}

/// A scenario end to end: the host check, the summary and its recorder, every variant in a
/// lab of its own (recorded as soon as it is measured, findings judged again each time), the
/// reports. A signal or an error tears the current lab down and leaves a partial result.
public enum ScenarioSession {
    public static func run(_ settings: ScenarioSettings, commandLine: [String],
                           progress: ProgressLine = ProgressLine()) throws -> SessionOutcome {
        SignalTrap.install()
        try OutputLocation.checkWritable(settings.outDir, option: "--out")
        try Privileges.requireRoot(for: "lvsbench scenario")
        try SessionContext.requireTools()
        // The wire count of SYNs per real, and what the scenario itself runs.
        for tool in ["tcpdump"] + settings.scenario.tools { _ = try ToolLocator.require(tool) }
        let directorHost = try LabEngine.resolveDirectorHost(.auto)
        let plans = settings.plans
        let setup = LabSetup(modes: distinct(plans.map(\.lab.mode)), reals: distinct(plans.map(\.lab.reals)), weights: [],
                             directorHost: directorHost.rawValue, profiles: ["default"],
                             loads: distinct(plans.map(\.load.kind)))
        var summary = Summary(name: settings.name, startedAt: Date(), host: HostInfo.current(),
                              directorHost: directorHost.rawValue, commandLine: commandLine, lab: setup,
                              toolVersions: SessionContext.toolVersions())
        var result = ScenarioResult(scenario: settings.scenario.name, question: settings.scenario.question)
        summary.scenario = result
        try SignalTrap.check()
        let recorder = try ResultRecorder(root: settings.outDir, summary: summary)
        progress.show("\(settings.scenario.name): \(plans.count) variants, about \(Int((settings.estimatedSeconds / 60).rounded(.up))) min")
        do {
            for (index, plan) in plans.enumerated() {
                progress.show("variant \(index + 1) of \(plans.count): \(plan.name)")
                let runner = VariantRunner(plan: plan, labName: "s\(getpid() % 100_000)-sc", director: .auto,
                                           executable: LabEnvironment.executable, progress: progress,
                                           onLab: { lab in
                                               guard index == 0 else { return }
                                               try recorder.setDirectorHost(lab.state.directorHost.rawValue,
                                                                            directorKernel: SessionContext.kernel(of: lab.director))
                                           })
                result.variants.append(try runner.run())
                result.findings = settings.scenario.findings(result.variants)
                try recorder.setScenario(result)
                try SignalTrap.check()
            }
            progress.phase("done")
            try SignalTrap.check()
        } catch {
            throw recorder.abandon(after: error)
        }
        progress.finish("\(settings.scenario.name): \(plans.count) variants measured")
        return try recorder.finish(complete: true)
    }

    static func distinct<T: Equatable>(_ list: [T]) -> [T] {
        list.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }
}
