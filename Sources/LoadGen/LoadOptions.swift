import Foundation
import SystemKit

/// A validated description of one load run; building one is where bad input is rejected.
public struct LoadOptions: Equatable, Sendable {
    public var target: LoadTarget
    public var connections: Int
    /// Seconds of load; in-flight requests are then allowed `timeout` to finish.
    public var duration: Double
    public var threads: Int
    /// Total requests per second over all connections (open loop), nil for closed loop.
    public var rate: Double?
    /// A new connection per request (HTTP `Connection: close`, TCP_CRR).
    public var close: Bool
    /// TCP mode only: request and response sizes in bytes (each at least 8).
    public var requestSize: Int
    public var responseSize: Int
    /// Seconds a request (connect included in --close mode) may take before it counts as a timeout.
    public var timeout: Double
    /// Seconds per timeline interval (`LoadReport.timeline`).
    public var interval: Double

    /// Most connections one run opens: each holds a 16 KiB receive buffer, and one client
    /// address has fewer ephemeral ports than this per target anyway.
    public static let maxConnections = 10_000
    /// Largest TCP request or response: the lab responder's own limit
    /// (`ResponderProtocol.maximumLength`, which LoadGen does not link).
    public static let maxSize = 64 << 20
    /// A shorter timeout makes every request a timeout.
    public static let minTimeout = 0.001
    /// Timeline intervals from 10 ms (finer ones would mostly count the batching of
    /// completions) to a minute.
    public static let intervalRange = 0.01...60.0
    /// Most timeline intervals in a run's duration: bounds the timeline's memory and size
    /// (a day at the default second is 86,400).
    public static let maxIntervals = 100_000

    /// The default thread count: two, or one on a one-CPU machine.
    public static var defaultThreads: Int { min(2, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    public init(target: LoadTarget, connections: Int = 10, duration: Double = 10, threads: Int? = nil,
                rate: Double? = nil, close: Bool = false, requestSize: Int = 64, responseSize: Int = 64,
                timeout: Double = 2, interval: Double = 1) throws {
        try Quantities.checkCount(connections, what: "--connections", range: 1...Self.maxConnections)
        guard duration.isFinite, duration >= Quantities.minDuration, duration <= Quantities.maxDuration else {
            throw InvalidInput("--duration \(duration) s is out of range: give 1us to 24h, e.g. -d 10s")
        }
        guard timeout.isFinite, timeout >= Self.minTimeout, timeout <= Quantities.maxDuration else {
            throw InvalidInput("--timeout \(timeout) s is out of range: give 1ms to 24h, e.g. --timeout 2s")
        }
        guard interval.isFinite, interval >= Self.intervalRange.lowerBound * (1 - 1e-9), interval <= Self.intervalRange.upperBound else {
            throw InvalidInput("--interval \(interval) s is out of range: give 10ms to 60s, e.g. --interval 100ms")
        }
        guard duration / interval <= Double(Self.maxIntervals) else {
            throw InvalidInput("--interval \(interval) s over --duration \(duration) s makes more than \(Self.maxIntervals) intervals: give a longer --interval")
        }
        let threads = threads ?? Self.defaultThreads
        guard threads > 0, threads <= 256 else { throw InvalidInput("--threads \(threads) is out of range: give 1 to 256, e.g. --threads 2") }
        if let rate { try Quantities.checkRate(rate, what: "--rate") }
        for (option, size) in [("--request-size", requestSize), ("--response-size", responseSize)] {
            guard size >= 8, size <= Self.maxSize else {
                throw InvalidInput("\(option) \(size) is out of range: give 8 bytes (the responder's header) to 64M (its limit)")
            }
        }
        self.target = target
        self.connections = connections
        self.duration = duration
        self.threads = min(threads, connections)
        self.rate = rate
        self.close = close
        self.requestSize = requestSize
        self.responseSize = responseSize
        self.timeout = timeout
        self.interval = interval
    }

    /// "http-keepalive-closed-loop" and the like, for reports.
    public var mode: String {
        "\(target.isTCP ? "tcp" : "http")-\(close ? "close" : "keepalive")-\(rate == nil ? "closed-loop" : "open-loop")"
    }

    /// The bytes of one request, built once and sent by every connection.
    var requestBytes: [UInt8] {
        switch target {
        case let .http(_, _, path, authority):
            var text = "GET \(path) HTTP/1.1\r\nHost: \(authority)\r\n"
            if close { text += "Connection: close\r\n" }
            return Array((text + "\r\n").utf8)
        case .tcp:
            var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: requestSize)
            withUnsafeBytes(of: UInt32(requestSize).bigEndian) { bytes.replaceSubrange(0..<4, with: $0) }
            withUnsafeBytes(of: UInt32(responseSize).bigEndian) { bytes.replaceSubrange(4..<8, with: $0) }
            return bytes
        }
    }
}
