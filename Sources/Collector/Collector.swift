import Foundation
import IPVSControl
import Lab
import SystemKit

/// Samples the kernel counters of the lab's nodes at a fixed interval on a thread of its
/// own while load runs: `start()`, run the load, `stop()` for the time series. During the
/// window it only reads and keeps the texts; `stop()` parses them, after the load, where
/// the parsing no longer takes CPU from what is measured (Benchmarks/CollectorCost.md).
/// Texts beyond `unparsedLimit` bytes are parsed, oldest first, between ticks.
public final class Collector: @unchecked Sendable {
    /// 10 Hz: each sample rereads every node's files and, on a UML director, makes a round
    /// trip through its agent (about 2.5 ms of the guest's CPU); faster sampling would
    /// measure the collector itself.
    public static let minimumInterval = 0.1

    public let nodes: [any LabNode]
    public let interval: Double
    let realCounters: RealCountersParser?
    /// Per node, the open connection to a UML director's agent that its samples go over:
    /// a connection per sample cost the one-CPU guest more than the reading itself.
    let sessions: [GuestAgent.Session?]
    /// Per namespace node, its files kept open (`NamespaceFiles`): a process per node and
    /// sample cost a fifth of the lab's throughput at 10 Hz. Nil where the namespace
    /// could not be entered; that node is read with a process, as before.
    let namespaceFiles: [NamespaceFiles?]

    /// Bytes of texts kept unparsed before the collector parses the oldest between ticks:
    /// 64 MiB is minutes of 10 Hz sampling of a small lab, far beyond a run's window, and
    /// bounds a long collection's memory (/proc/stat and softnet_stat grow with a host's CPUs).
    let unparsedLimit: Int

    private let lock = NSLock()
    /// Samples parsed while the collector ran, oldest first; `pending` follows them.
    private var parsed: [Sample] = []
    /// Samples kept unparsed, oldest first, and the bytes of their texts.
    private var pending: [RawSample] = []
    private var pendingBytes = 0
    private var missedTicks = 0
    private var stopping = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - interval: seconds between samples, 0.1 (10 Hz) or more.
    ///   - realCounters: parser of `ipvsadm -Ln --stats --exact` for per-real totals; nil
    ///     skips that listing (one ipvsadm run less per sample).
    ///   - unparsedLimit: bytes of texts kept unparsed during the window (see the property).
    public init(nodes: [any LabNode], interval: Double = 1,
                realCounters: RealCountersParser? = IPVSStatsListing.realCounters(parsing:),
                unparsedLimit: Int = 64 << 20) throws {
        try Self.checkInterval(interval)
        guard !nodes.isEmpty else { throw InvalidInput("no lab nodes to collect from: start a lab with `lvsbench lab up`") }
        self.nodes = nodes
        self.interval = interval
        self.realCounters = realCounters
        self.unparsedLimit = unparsedLimit
        sessions = nodes.map { node in (node as? GuestNode).flatMap { $0.role == .director ? $0.session() : nil } }
        namespaceFiles = nodes.map { node in
            (node as? NamespaceNode).flatMap { try? NamespaceFiles(namespace: $0.namespace, paths: NodeReading.files(role: $0.role)) }
        }
    }

    /// Refuses intervals below 100 ms (and non-finite ones) with a one-line error.
    public static func checkInterval(_ interval: Double) throws {
        guard interval.isFinite, interval >= minimumInterval - 1e-9 else {
            throw InvalidInput("sampling interval \(interval)s is below 100ms: the collector samples at most 10 times a second")
        }
    }

    /// Reads every node once and returns the sample, parsed.
    /// `occasional` adds the director's connection states and IPVS timeouts (one more process there).
    public func sampleOnce(elapsed: Double, occasional: Bool = true) -> Sample {
        parse(fetchOnce(elapsed: elapsed, occasional: occasional))
    }

    /// One sample's reads before parsing.
    struct RawSample: Sendable {
        let elapsed: Double
        let time: Date
        let nodes: [NodeReading.Raw]

        /// The bytes of its texts.
        var bytes: Int { nodes.reduce(0) { $0 + ($1.sections?.values.reduce(0) { $0 + $1.utf8.count } ?? 0) } }
    }

    /// Reads every node once. A node read over a process or the director's agent gets a
    /// thread of its own, so one slow node (a UML director) does not delay the others;
    /// nodes whose files are kept open are read in turn on the calling thread, a few
    /// preads each, without the cost of starting a thread per node and sample. Plain
    /// threads rather than concurrentPerform: each slow read blocks in ProcessRunner, which
    /// itself needs the global dispatch queues to drain the child's pipes.
    func fetchOnce(elapsed: Double, occasional: Bool) -> RawSample {
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var reads: [NodeReading.Raw?]
            init(_ count: Int) { reads = Array(repeating: nil, count: count) }
            func set(_ i: Int, _ raw: NodeReading.Raw) {
                lock.lock()
                reads[i] = raw
                lock.unlock()
            }
        }
        let results = Results(nodes.count)
        let done = DispatchSemaphore(value: 0)
        let realCounters = self.realCounters
        var threads = 0
        for (i, node) in nodes.enumerated() where namespaceFiles[i] == nil {
            let session = sessions[i]
            threads += 1
            Thread {
                results.set(i, NodeReading.fetch(node, realCounters: realCounters, occasional: occasional, session: session))
                done.signal()
            }.start()
        }
        for (i, node) in nodes.enumerated() {
            guard let files = namespaceFiles[i] else { continue }
            results.set(i, NodeReading.fetch(node, realCounters: realCounters, occasional: occasional, files: files))
        }
        for _ in 0..<threads { done.wait() }
        return RawSample(elapsed: elapsed, time: Date(), nodes: results.reads.compactMap { $0 })
    }

    func parse(_ raw: RawSample) -> Sample {
        Sample(elapsed: raw.elapsed, time: raw.time,
               nodes: raw.nodes.map { NodeReading.parse($0, realCounters: realCounters) })
    }

    /// Starts sampling; the first sample is taken at once.
    public func start() {
        lock.lock()
        defer { lock.unlock() }
        precondition(thread == nil, "Collector.start() called twice")
        let thread = Thread { [self] in run() }
        thread.name = "lvsbench-collector"
        self.thread = thread
        thread.start()
    }

    /// Stops sampling, takes a last sample so the window ends now, and returns the series.
    public func stop() -> TimeSeries {
        lock.lock()
        let mustWait = thread != nil && !stopping
        stopping = true
        lock.unlock()
        if mustWait { finished.wait() }
        for session in sessions { session?.close() }
        for files in namespaceFiles { files?.close() }
        lock.lock()
        let (done, raw, missed) = (parsed, pending, missedTicks)
        lock.unlock()
        return TimeSeries(interval: interval, samples: done + raw.map(parse), missedTicks: missed)
    }

    /// Samples taken so far, for progress display.
    public var sampleCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return parsed.count + pending.count
    }

    /// Samples parsed while the collector ran (only over `unparsedLimit`).
    var parsedEarly: Int {
        lock.lock()
        defer { lock.unlock() }
        return parsed.count
    }

    /// Parses the oldest kept sample while the kept texts are over `unparsedLimit`; false
    /// when they are not.
    private func parseOldestOverLimit() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard pendingBytes > unparsedLimit, !pending.isEmpty else { return false }
        let oldest = pending.removeFirst()
        pendingBytes -= oldest.bytes
        parsed.append(parse(oldest))
        return true
    }

    private func run() {
        let start = DispatchTime.now().uptimeNanoseconds
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        var tick = 0, taken = 0
        // IPVS timeouts change only when someone runs `ipvsadm --set`, and the connection
        // states are a gauge, not a counter: read both about every 5 s.
        let occasionalEvery = max(1, Int((5 / interval).rounded()))
        while true {
            lock.lock()
            let lastOne = stopping
            lock.unlock()
            let sample = fetchOnce(elapsed: now(), occasional: taken % occasionalEvery == 0)
            taken += 1
            lock.lock()
            pending.append(sample)
            pendingBytes += sample.bytes
            let stop = stopping
            lock.unlock()
            // The last sample must start after `stop()` was called, so the series ends when
            // the caller's window did: a sample that was under way then (a slow first
            // round trip into a busy guest) is followed by one more, at once.
            if lastOne { break }
            if stop { continue }
            // Sleep to the next tick; ticks already past are skipped and counted.
            tick += 1
            let late = Int((now() / interval).rounded(.down)) - tick + 1
            if late > 0 {
                lock.lock()
                missedTicks += late
                lock.unlock()
                tick += late
            }
            while now() < Double(tick) * interval {
                lock.lock()
                let stop = stopping
                lock.unlock()
                if stop { break }
                if parseOldestOverLimit() { continue }
                usleep(UInt32(min(20_000, max(1_000, (Double(tick) * interval - now()) * 1e6))))
            }
        }
        finished.signal()
    }
}
