/// The result of one load run: the JSON document `lvsbench load --json` prints and the
/// experiment runner parses. The key names are an interface (issue 3): change them only
/// together with every reader.
public struct LoadReport: Codable, Equatable, Sendable {
    /// Failed requests by the step that failed. A request counts in exactly one kind.
    public struct Errors: Codable, Equatable, Sendable {
        /// The connection could not be opened (refused, unreachable, reset during connect).
        public var connect: UInt64
        /// Receiving failed or the peer closed before the response was complete.
        public var read: UInt64
        /// Sending the request failed.
        public var write: UInt64
        /// No complete response within `--timeout`.
        public var timeout: UInt64
        /// A complete HTTP response whose status was not 2xx or 3xx (still counted in `requests`).
        public var status: UInt64

        public init(connect: UInt64 = 0, read: UInt64 = 0, write: UInt64 = 0, timeout: UInt64 = 0, status: UInt64 = 0) {
            self.connect = connect
            self.read = read
            self.write = write
            self.timeout = timeout
            self.status = status
        }

        /// Every failure except `status`: requests that got no usable response.
        public var transport: UInt64 { connect + read + write + timeout }

        static func += (a: inout Errors, b: Errors) {
            a.connect += b.connect
            a.read += b.read
            a.write += b.write
            a.timeout += b.timeout
            a.status += b.status
        }

        static func - (a: Errors, b: Errors) -> Errors {
            Errors(connect: a.connect - b.connect, read: a.read - b.read, write: a.write - b.write,
                   timeout: a.timeout - b.timeout, status: a.status - b.status)
        }
    }

    /// Latency percentiles in microseconds. In open-loop runs (`--rate`) measured from the
    /// intended send time, so a stalled server shows up in the tail (coordinated omission).
    public struct Latency: Codable, Equatable, Sendable {
        public var p50: UInt64
        public var p90: UInt64
        public var p99: UInt64
        public var p999: UInt64
        public var max: UInt64
        public var mean: Double

        public init(p50: UInt64, p90: UInt64, p99: UInt64, p999: UInt64, max: UInt64, mean: Double) {
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
            self.p999 = p999
            self.max = max
            self.mean = mean
        }
    }

    /// Latency of the responses completed in one timeline interval, in microseconds: p50
    /// and p99 within 3.2 % of the exact value (log-linear buckets, see `LatencyBuckets`),
    /// max exact.
    public struct IntervalLatency: Codable, Equatable, Sendable {
        public var p50: UInt64
        public var p99: UInt64
        public var max: UInt64

        public init(p50: UInt64, p99: UInt64, max: UInt64) {
            self.p50 = p50
            self.p99 = p99
            self.max = max
        }
    }

    /// One interval of the timeline: interval `t` (0-based) spans `t * timeline_interval_s`
    /// to `(t + 1) * timeline_interval_s` seconds after the start of the run (one second
    /// unless `--interval` says otherwise). Events count in the interval in which the
    /// generator saw them, so the intervals add up to the run's totals. Reports written
    /// before issue 12 have only `t` and `requests`; the other fields then decode as empty.
    public struct TimelinePoint: Codable, Equatable, Sendable {
        public var t: Int
        /// Responses completed in the interval.
        public var requests: UInt64
        /// Failures detected in the interval, by kind.
        public var errors: Errors
        public var connections_opened: UInt64
        /// Nil (absent) when no response completed in the interval.
        public var latency_us: IntervalLatency?
        /// Responses per real server (as in the report's `per_server`).
        public var per_server: [String: UInt64]

        public init(t: Int, requests: UInt64, errors: Errors = Errors(), connections_opened: UInt64 = 0,
                    latency_us: IntervalLatency? = nil, per_server: [String: UInt64] = [:]) {
            self.t = t
            self.requests = requests
            self.errors = errors
            self.connections_opened = connections_opened
            self.latency_us = latency_us
            self.per_server = per_server
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(t: try c.decode(Int.self, forKey: .t), requests: try c.decode(UInt64.self, forKey: .requests),
                      errors: try c.decodeIfPresent(Errors.self, forKey: .errors) ?? Errors(),
                      connections_opened: try c.decodeIfPresent(UInt64.self, forKey: .connections_opened) ?? 0,
                      latency_us: try c.decodeIfPresent(IntervalLatency.self, forKey: .latency_us),
                      per_server: try c.decodeIfPresent([String: UInt64].self, forKey: .per_server) ?? [:])
        }
    }

    /// Responses by HTTP status class; all zero in TCP mode.
    public struct StatusClasses: Codable, Equatable, Sendable {
        public var s1xx: UInt64 = 0
        public var s2xx: UInt64 = 0
        public var s3xx: UInt64 = 0
        public var s4xx: UInt64 = 0
        public var s5xx: UInt64 = 0

        public init() {}

        enum CodingKeys: String, CodingKey {
            case s1xx = "1xx", s2xx = "2xx", s3xx = "3xx", s4xx = "4xx", s5xx = "5xx"
        }
    }

    /// Completed responses (including those with an error status).
    public var requests: UInt64
    /// Wall time of the run in seconds, from the first request to the last response.
    public var duration_s: Double
    /// `requests / duration_s`.
    public var rps: Double
    public var connections_opened: UInt64
    public var errors: Errors
    public var latency_us: Latency
    /// Responses per real server: the `X-Real-Server` header (HTTP) or the first response
    /// line (TCP responder). Responses without one are not counted here.
    public var per_server: [String: UInt64]
    public var timeline: [TimelinePoint]
    /// The length of a timeline interval in seconds (`--interval`; 1 in reports written
    /// before it existed).
    public var timeline_interval_s: Double
    /// Wall-clock time (Unix seconds) at which timeline interval 0 began, so an event logged
    /// with a wall-clock time can be placed on the timeline; 0 in reports written before it
    /// existed.
    public var started_at_unix: Double
    /// Connection slots (of `connections`) that saw at least one transport failure
    /// (connect, read, write or timeout) during the run. With keep-alive,
    /// `connections - broken_connections` connections lasted the whole run unbroken.
    public var broken_connections: UInt64

    public var status_classes: StatusClasses
    /// Response bytes received (headers and bodies) and request bytes sent.
    public var bytes_received: UInt64
    public var bytes_sent: UInt64
    /// CPU time of the generator process (getrusage) during the run: the figure that says
    /// whether the generator could have been the bottleneck.
    public var cpu_user_s: Double
    public var cpu_sys_s: Double
    public var threads: Int
    public var connections: Int
    /// "http" or "tcp", then "keepalive" or "close", then "closed-loop" or "open-loop".
    public var mode: String
    public var target: String
    /// Requested total rate in open-loop runs, nil for closed loop.
    public var rate: Double?

    public init(requests: UInt64, duration_s: Double, rps: Double, connections_opened: UInt64, errors: Errors,
                latency_us: Latency, per_server: [String: UInt64], timeline: [TimelinePoint],
                status_classes: StatusClasses, bytes_received: UInt64, bytes_sent: UInt64,
                cpu_user_s: Double, cpu_sys_s: Double, threads: Int, connections: Int,
                mode: String, target: String, rate: Double?, timeline_interval_s: Double = 1,
                started_at_unix: Double = 0, broken_connections: UInt64 = 0) {
        self.requests = requests
        self.duration_s = duration_s
        self.rps = rps
        self.connections_opened = connections_opened
        self.errors = errors
        self.latency_us = latency_us
        self.per_server = per_server
        self.timeline = timeline
        self.status_classes = status_classes
        self.bytes_received = bytes_received
        self.bytes_sent = bytes_sent
        self.cpu_user_s = cpu_user_s
        self.cpu_sys_s = cpu_sys_s
        self.threads = threads
        self.connections = connections
        self.mode = mode
        self.target = target
        self.rate = rate
        self.timeline_interval_s = timeline_interval_s
        self.started_at_unix = started_at_unix
        self.broken_connections = broken_connections
    }

    /// Reads reports written before the timeline fields of issue 12 too (with their defaults).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            requests: try c.decode(UInt64.self, forKey: .requests), duration_s: try c.decode(Double.self, forKey: .duration_s),
            rps: try c.decode(Double.self, forKey: .rps),
            connections_opened: try c.decode(UInt64.self, forKey: .connections_opened),
            errors: try c.decode(Errors.self, forKey: .errors), latency_us: try c.decode(Latency.self, forKey: .latency_us),
            per_server: try c.decode([String: UInt64].self, forKey: .per_server),
            timeline: try c.decode([TimelinePoint].self, forKey: .timeline),
            status_classes: try c.decode(StatusClasses.self, forKey: .status_classes),
            bytes_received: try c.decode(UInt64.self, forKey: .bytes_received),
            bytes_sent: try c.decode(UInt64.self, forKey: .bytes_sent),
            cpu_user_s: try c.decode(Double.self, forKey: .cpu_user_s), cpu_sys_s: try c.decode(Double.self, forKey: .cpu_sys_s),
            threads: try c.decode(Int.self, forKey: .threads), connections: try c.decode(Int.self, forKey: .connections),
            mode: try c.decode(String.self, forKey: .mode), target: try c.decode(String.self, forKey: .target),
            rate: try c.decodeIfPresent(Double.self, forKey: .rate),
            timeline_interval_s: try c.decodeIfPresent(Double.self, forKey: .timeline_interval_s) ?? 1,
            started_at_unix: try c.decodeIfPresent(Double.self, forKey: .started_at_unix) ?? 0,
            broken_connections: try c.decodeIfPresent(UInt64.self, forKey: .broken_connections) ?? 0)
    }

    /// Requests per second of the generator's own CPU time (user + sys): the figure the
    /// comparison with wrk is about.
    public var requestsPerCPUSecond: Double {
        let cpu = cpu_user_s + cpu_sys_s
        return cpu > 0 ? Double(requests) / cpu : 0
    }
}
