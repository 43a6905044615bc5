import Foundation
import Lab
import SystemKit

/// One collection on a running lab: the sampler on every node and, optionally, the capture
/// on the director's links, over a fixed duration or until interrupted (Ctrl-C).
public enum LabCollection {
    public struct Options: Sendable {
        public var interval: Double = 1
        /// Seconds; nil runs until `shouldStop` says so.
        public var duration: Double?
        public var capture = true
        public init(interval: Double = 1, duration: Double? = nil, capture: Bool = true) {
            self.interval = interval
            self.duration = duration
            self.capture = capture
        }
    }

    /// Every node of the lab, director first (it is the one the summary is about).
    public static func nodes(of lab: RunningLab) -> [any LabNode] {
        [lab.director, lab.client, lab.router] + lab.reals
    }

    /// Runs the collection. `shouldStop` is polled every 50 ms (SignalTrap.interrupted for
    /// the CLI); `progress` gets the sample count about once a second. The capture, when it
    /// started, is always stopped, also on error.
    public static func run(_ lab: RunningLab, options: Options, shouldStop: () -> Bool = { false },
                           progress: (Int) -> Void = { _ in }) throws -> TimeSeries {
        if let d = options.duration, !(d > 0) { throw InvalidInput("duration must be above zero, e.g. --duration 10s") }
        let collector = try Collector(nodes: nodes(of: lab), interval: options.interval)
        var capture: WireCapture?
        if options.capture {
            let ports = Set([lab.state.httpPort, lab.state.tcpPort].compactMap { UInt16(exactly: $0) })
            let c = try WireCapture(links: lab.directorLinks, servicePorts: ports)
            try c.start()
            capture = c
        }
        collector.start()
        let start = Date()
        var lastProgress = Date()
        while !shouldStop() {
            if let d = options.duration, Date().timeIntervalSince(start) >= d { break }
            usleep(50_000)
            if Date().timeIntervalSince(lastProgress) >= 1 {
                progress(collector.sampleCount)
                lastProgress = Date()
            }
        }
        var series = collector.stop()
        series.wire = capture?.stop()
        return series
    }
}
