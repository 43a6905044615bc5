import Experiments
import Foundation
import Lab
import LoadGen

/// The variant's load, running on a thread of its own while the runner injects events.
final class LoadRun: @unchecked Sendable {
    private let probe: LoadProbe
    private let client: any LabNode
    private let target: LoadEndpoint
    private let plan: LoadPlan
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var result: Result<LoadReport, Error>?

    init(probe: LoadProbe, client: any LabNode, target: LoadEndpoint, plan: LoadPlan) {
        self.probe = probe
        self.client = client
        self.target = target
        self.plan = plan
    }

    func start() {
        let thread = Thread { [self] in
            let outcome = Result {
                try probe.run(from: client, kind: plan.kind, target: target, connections: plan.connections,
                              duration: plan.duration, rate: plan.rate, interval: plan.interval, timeout: plan.timeout)
            }
            lock.withLock { result = outcome }
            done.signal()
        }
        thread.start()
    }

    var finished: Bool { lock.withLock { result != nil } }

    /// Blocks until the load has ended; may be called more than once.
    func wait() -> Result<LoadReport, Error> {
        if let result = lock.withLock({ result }) { return result }
        done.wait()
        return lock.withLock { result! }
    }
}
