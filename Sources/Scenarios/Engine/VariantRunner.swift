import Experiments
import Foundation
import Lab
import LoadGen
import Results
import SystemKit
import Vocabulary

/// Measures one variant in a lab of its own: builds it, runs the preparation, starts the
/// director sampler and the load, injects the events at their times, then takes the lab
/// down whatever happened. The timelines are put on the load generator's clock (its start
/// is t = 0), where the events and director samples are placed too.
struct VariantRunner {
    var plan: VariantPlan
    var labName: String
    var director: DirectorChoice
    var executable: String
    var progress: ProgressLine
    /// Sees the lab once it is up (the session learns the director's kernel).
    var onLab: (RunningLab) throws -> Void = { _ in }

    func run() throws -> ScenarioVariant {
        let spec = plan.lab.spec(name: labName, director: director)
        try spec.validate()
        progress.show("\(plan.name): building the \(plan.lab.mode.rawValue) lab with \(plan.lab.reals) reals ...")
        progress.phase("build", plan.name)
        let running = try LabEngine.up(spec, progress: { progress.show("\(plan.name): \($0)") })
        let variant: ScenarioVariant
        do {
            try onLab(running)
            variant = try measure(ScenarioLab(lab: running))
        } catch {
            progress.phase("teardown", plan.name)
            let left = CleanupFailed.attempt { try LabEngine.down(state: running.state) }
            throw CleanupFailed.outcome(of: error, left: left.map { [$0] } ?? [], interrupted: SignalTrap.interrupted)
        }
        progress.phase("teardown", plan.name)
        try LabEngine.down(state: running.state)
        return variant
    }

    private func measure(_ lab: ScenarioLab) throws -> ScenarioVariant {
        var notes: [String] = []
        for step in plan.prepare {
            try SignalTrap.check()
            let detail = try step.action(lab)
            notes.append("Before the load: \(step.what)\(detail.isEmpty ? "" : " (\(detail))").")
        }
        let sampler = DirectorSampler(probe: DirectorProbe(director: lab.director, readsTable: plan.readsTable),
                                      every: plan.sampleEvery, gauges: plan.gauges.map { g in { try g(lab) } })
        let stop = StopFlag()
        let load = LoadRun(probe: LoadProbe(executable: executable, interrupted: { SignalTrap.interrupted || stop.isSet }),
                           client: lab.client, target: LoadEndpoint(address: lab.lab.vip, httpPort: lab.lab.state.httpPort,
                                                                    tcpPort: lab.lab.state.tcpPort), plan: plan.load)
        let syns = try WireSynCounter.start(on: lab.lab)
        progress.phase("load", plan.name)
        let origin = Date()
        load.start()
        sampler.start(origin: origin)
        var events: [ScenarioEvent] = []
        do {
            for (index, timed) in plan.events.sorted(by: { $0.at < $1.at }).enumerated() {
                try wait(until: origin.addingTimeInterval(timed.at), while: load)
                if index == 0, let target = plan.target { lab.target = try resolve(target, lab: lab, sampler: sampler) }
                progress.show("\(plan.name): \(timed.steps.map(\.what).joined(separator: ", ")) at \(seconds(timed.at)) ...")
                let began = Date().timeIntervalSince(origin)
                var details: [String] = []
                for step in timed.steps {
                    let detail = try step.action(lab)
                    details.append(detail.isEmpty ? step.what : detail)
                }
                let done = Date().timeIntervalSince(origin)
                sampler.sampleNow()
                events.append(ScenarioEvent(t: began, doneT: done, what: details.joined(separator: "; ")))
            }
            progress.show("\(plan.name): load running to \(seconds(plan.load.duration)) ...")
        } catch {
            stop.set()
            _ = load.wait()
            sampler.stop()
            _ = try? syns.stop()
            throw error
        }
        let result = load.wait()
        var samples = sampler.stop()
        let synTimes = try syns.stop()
        let report = try result.get()
        notes += sampler.problems
        // The generator's t = 0 is a little after `origin` (its process start): rebase.
        let shift = report.started_at_unix - origin.timeIntervalSince1970
        events = events.map { ScenarioEvent(t: $0.t - shift, doneT: $0.doneT - shift, what: $0.what) }
        samples = samples.map { DirectorSample(t: $0.t - shift, reals: $0.reals, gauges: $0.gauges) }
        let client = ClientTimeline.intervals(of: report)
        let target = lab.target.map { (address: lab.address(ofReal: $0), name: lab.name(ofReal: $0)) }
        let rebased = Dictionary(uniqueKeysWithValues: synTimes.map { real, syns in
            (lab.name(ofReal: real), syns.map { WireSynCounter.Syn(t: $0.t - report.started_at_unix, repeated: $0.repeated) })
        })
        var faultySyns = target.map { (rebased[$0.name] ?? []).map(\.t) }
        let faultyRepeats = target.map { (rebased[$0.name] ?? []).filter(\.repeated).map(\.t) }
        if let target, let fault = events.first?.t {
            let answered = client.filter { $0.t + report.timeline_interval_s <= fault }.reduce(0) { $0 + ($1.perReal[target.name] ?? 0) }
            if let syns = faultySyns, !WireSynCounter.trusted(syns, answeredBefore: answered, fault: fault) {
                faultySyns = nil
                notes.append("The wire count saw no SYN to \(target.name), which answered \(answered) requests before the fault: "
                             + "the director's own Conns counter is used instead (it lags up to 2 s).")
            }
        }
        let metrics = VariantMetrics.derive(client: client, director: samples, events: events,
                                            interval: report.timeline_interval_s, duration: plan.load.duration,
                                            faultyReal: target, faultySyns: faultySyns,
                                            faultyRepeatedSyns: faultySyns == nil ? nil : faultyRepeats,
                                            brokenConnections: report.broken_connections, connections: plan.load.connections)
        let wire = WireInterval.bucket(rebased.mapValues { $0.map(\.t) }, width: report.timeline_interval_s, count: client.count)
        return ScenarioVariant(name: plan.name, description: plan.description, load: plan.load.label,
                               intervalSeconds: report.timeline_interval_s, events: events, client: client,
                               director: samples, wire: wire, metrics: metrics, notes: notes)
    }

    /// Sleeps until `deadline`; a load that ended early (it failed) ends the wait at once.
    private func wait(until deadline: Date, while load: LoadRun) throws {
        while Date() < deadline {
            try SignalTrap.check()
            if load.finished {
                _ = try load.wait().get()
                throw RuntimeFailure("the load ended before \(plan.name)'s events were due")
            }
            usleep(5_000)
        }
    }

    private func resolve(_ target: FaultTarget, lab: ScenarioLab, sampler: DirectorSampler) throws -> Int {
        switch target {
        case .real(let index):
            guard (1...lab.realCount).contains(index) else {
                throw InvalidInput("the fault names real\(index) but the lab has real1 to real\(lab.realCount)")
            }
            return index
        case .busiest:
            let sample = try DirectorProbe(director: lab.director, readsTable: false).sample(at: 0)
            // Active and inactive: under new-connection load a pinned client's entries are
            // mostly closed ones waiting to expire, not established.
            func entries(_ real: Int) -> UInt64 {
                let gauge = sample.reals[lab.address(ofReal: real)]
                return (gauge?.active ?? 0) + (gauge?.inactive ?? 0)
            }
            let busiest = (1...lab.realCount).max { entries($0) < entries($1) }
            return busiest ?? 1
        }
    }
}

/// Set once by the runner when a step fails, so the load stops at its next poll.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// "4.0 s": event times in progress lines.
func seconds(_ s: Double) -> String { String(format: "%.1f s", s) }
