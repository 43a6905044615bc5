import Foundation
import Histogram
import SystemKit

/// Runs a load described by `LoadOptions` and returns its `LoadReport`. Used in-process by
/// the experiment runner and by `lvsbench load`.
public enum LoadGenerator {
    /// Blocks for the run's duration (plus up to `timeout` for requests in flight).
    /// Throws `RuntimeFailure` when io_uring cannot be set up.
    public static func run(_ options: LoadOptions) throws -> LoadReport {
        let threads = options.threads
        let usageBefore = ResourceUsage.now()
        // Start together a little later, so thread and ring setup is not part of the run.
        let startNs = Worker.clock() + 20_000_000
        let startedAtUnix = Double(Worker.clock(CLOCK_REALTIME) &- Worker.clock() &+ startNs) / 1e9
        let results = ResultBox(count: threads)
        var spawned: [Thread] = []
        var first = 0
        for t in 0..<threads {
            let share = options.connections / threads + (t < options.connections % threads ? 1 : 0)
            let firstIndex = first
            first += share
            let thread = Thread {
                var result: WorkerResult
                do {
                    let worker = try Worker(options: options, count: share, firstIndex: firstIndex, startNs: startNs)
                    worker.run()
                    result = worker.result
                } catch {
                    result = WorkerResult()
                    result.failure = error
                }
                results.set(t, result)
            }
            thread.name = "lvsbench-load-\(t)"
            thread.stackSize = 1 << 20
            spawned.append(thread)
        }
        spawned.forEach { $0.start() }
        let all = results.wait()
        let usage = ResourceUsage.now() - usageBefore
        if let failure = all.compactMap(\.failure).first { throw failure }
        return merge(all, options: options, startNs: startNs, startedAtUnix: startedAtUnix, usage: usage)
    }

    static func merge(_ all: [WorkerResult], options: LoadOptions, startNs: UInt64, startedAtUnix: Double,
                      usage: ResourceUsage) -> LoadReport {
        var histogram = all[0].histogram
        var errors = LoadReport.Errors()
        var classes = LoadReport.StatusClasses()
        var perServer: [String: UInt64] = [:]
        var requests: UInt64 = 0, received: UInt64 = 0, sent: UInt64 = 0, opened: UInt64 = 0, broken: UInt64 = 0
        var endNs = startNs
        for (k, r) in all.enumerated() {
            if k > 0 { histogram.add(r.histogram) }
            requests += r.requests
            errors += r.errors
            classes.s1xx += r.statusClasses.s1xx
            classes.s2xx += r.statusClasses.s2xx
            classes.s3xx += r.statusClasses.s3xx
            classes.s4xx += r.statusClasses.s4xx
            classes.s5xx += r.statusClasses.s5xx
            perServer.merge(r.servers.dictionary, uniquingKeysWith: +)
            received += r.bytesReceived
            sent += r.bytesSent
            opened += r.connectionsOpened
            broken += r.brokenConnections
            endNs = max(endNs, r.endNs)
        }
        let duration = max(Double(endNs - startNs) / 1e9, 1e-9)
        // Every interval up to the end of the run (which is after every event counted).
        let intervalNs = UInt64(options.interval * 1e9)
        let intervals = max(Int((endNs - startNs + intervalNs - 1) / intervalNs),
                            (all.flatMap(\.intervals).map(\.index).max() ?? 0) + 1)
        let empty = histogram.totalCount == 0
        let latency = LoadReport.Latency(
            p50: empty ? 0 : histogram.valueAtPercentile(50), p90: empty ? 0 : histogram.valueAtPercentile(90),
            p99: empty ? 0 : histogram.valueAtPercentile(99), p999: empty ? 0 : histogram.valueAtPercentile(99.9),
            max: empty ? 0 : histogram.max, mean: empty ? 0 : histogram.mean)
        return LoadReport(
            requests: requests, duration_s: duration, rps: Double(requests) / duration, connections_opened: opened,
            errors: errors, latency_us: latency, per_server: perServer,
            timeline: IntervalRecord.timeline(all.map(\.intervals), count: intervals),
            status_classes: classes, bytes_received: received, bytes_sent: sent,
            cpu_user_s: usage.user, cpu_sys_s: usage.system, threads: options.threads, connections: options.connections,
            mode: options.mode, target: options.target.description, rate: options.rate,
            timeline_interval_s: options.interval, started_at_unix: startedAtUnix, broken_connections: broken)
    }
}

/// Collects the workers' results; `wait` returns when every worker has delivered.
private final class ResultBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [WorkerResult?]
    private var missing: Int

    init(count: Int) {
        results = Array(repeating: nil, count: count)
        missing = count
    }

    func set(_ index: Int, _ result: WorkerResult) {
        condition.lock()
        results[index] = result
        missing -= 1
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> [WorkerResult] {
        condition.lock()
        while missing > 0 { condition.wait() }
        defer { condition.unlock() }
        return results.map { $0! }
    }
}

/// CPU time of this process from getrusage, in seconds.
struct ResourceUsage {
    var user: Double
    var system: Double

    static func now() -> ResourceUsage {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return ResourceUsage(user: seconds(u.ru_utime), system: seconds(u.ru_stime))
    }

    static func - (a: ResourceUsage, b: ResourceUsage) -> ResourceUsage {
        ResourceUsage(user: a.user - b.user, system: a.system - b.system)
    }
}
