import Foundation
import Results

/// Samples the director every `every` seconds on a thread of its own while the load runs.
/// A sample that fails (the director busy past the agent's timeout, a fault that took the
/// director down) is skipped and noted, never the end of the variant: a gap in the
/// director's timeline is itself a finding.
final class DirectorSampler: @unchecked Sendable {
    private let probe: DirectorProbe
    private let every: Double
    private let gauges: (() throws -> [String: Double])?
    private let lock = NSLock()
    private var samples: [DirectorSample] = []
    private var failures: [String] = []
    private var running = false
    private var origin = Date()
    private let finished = DispatchSemaphore(value: 0)

    init(probe: DirectorProbe, every: Double, gauges: (() throws -> [String: Double])?) {
        self.probe = probe
        self.every = every
        self.gauges = gauges
    }

    func start(origin: Date) {
        self.origin = origin
        lock.withLock { running = true }
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                let next = Date().addingTimeInterval(every)
                sampleNow()
                let wait = next.timeIntervalSinceNow
                if wait > 0 { usleep(useconds_t(wait * 1e6)) }
            }
            finished.signal()
        }
        thread.start()
    }

    /// Takes one sample now (also from the runner's thread, right after an event).
    func sampleNow() {
        let t = Date().timeIntervalSince(origin)
        do {
            var sample = try probe.sample(at: t)
            if let gauges { sample.gauges.merge(try gauges()) { $1 } }
            lock.withLock { samples.append(sample) }
        } catch {
            lock.withLock { failures.append(String(format: "%.2f s: %@", t, "\(error)")) }
        }
    }

    /// Stops sampling and returns the samples in time order.
    @discardableResult
    func stop() -> [DirectorSample] {
        let wasRunning = lock.withLock { () -> Bool in
            defer { running = false }
            return running
        }
        if wasRunning { finished.wait() }
        return lock.withLock { samples.sorted { $0.t < $1.t } }
    }

    /// The failed samples, as notes for the report: how many, and the first reason.
    var problems: [String] {
        let list = lock.withLock { failures }
        guard let first = list.first else { return [] }
        return ["\(list.count) director sample(s) failed; the first at \(first)."]
    }
}
