import Foundation
import Lab
import SystemKit

/// One collection on a running lab: the sampler on every node and, optionally, the capture
/// on the director's links. `start()` returns once both run and the first sample is in,
/// so everything the caller does afterwards falls inside the window; `stop()` ends both.
public final class LabCollection: @unchecked Sendable {
    public struct Options: Sendable {
        public var interval: Double
        /// Seconds, for `run`; nil runs until `shouldStop` says so.
        public var duration: Double?
        public var capture: Bool
        public init(interval: Double = 1, duration: Double? = nil, capture: Bool = true) {
            self.interval = interval
            self.duration = duration
            self.capture = capture
        }
    }

    public let collector: Collector
    let capture: WireCapture?

    /// Every node of the lab, director first (it is the one the summary is about).
    public static func nodes(of lab: RunningLab) -> [any LabNode] {
        let nodes = lab.nodes
        return nodes.filter { $0.role == .director } + nodes.filter { $0.role != .director }
    }

    public init(_ lab: RunningLab, options: Options) throws {
        if let d = options.duration, !(d > 0) { throw InvalidInput("duration must be above zero, e.g. --duration 10s") }
        collector = try Collector(nodes: Self.nodes(of: lab), interval: options.interval)
        if options.capture {
            let ports = Set([lab.state.httpPort, lab.state.tcpPort].compactMap { UInt16(exactly: $0) })
            capture = try WireCapture(links: lab.directorLinks, servicePorts: ports)
        } else {
            capture = nil
        }
    }

    public func start() throws {
        try capture?.start()
        collector.start()
        while collector.sampleCount == 0 { usleep(10_000) }
    }

    public func stop() -> TimeSeries {
        var series = collector.stop()
        series.wire = capture?.stop()
        return series
    }

    /// Collects for `options.duration` or until `shouldStop` (polled every 50 ms;
    /// SignalTrap.interrupted for the CLI). `progress` gets the sample count each second.
    public static func run(_ lab: RunningLab, options: Options, shouldStop: () -> Bool = { false },
                           progress: (Int) -> Void = { _ in }) throws -> TimeSeries {
        let collection = try LabCollection(lab, options: options)
        try collection.start()
        let start = Date()
        var lastProgress = Date()
        while !shouldStop() {
            if let d = options.duration, Date().timeIntervalSince(start) >= d { break }
            usleep(50_000)
            if Date().timeIntervalSince(lastProgress) >= 1 {
                progress(collection.collector.sampleCount)
                lastProgress = Date()
            }
        }
        return collection.stop()
    }
}
