import Foundation

/// One variant of a scenario as measured: its timeline from the client's view (the load
/// generator's intervals) and from the director's (IPVS counters and gauges sampled while the
/// load ran), the events injected, and the figures derived from them. Times are seconds from
/// the load generator's start, so the three line up.
public struct ScenarioVariant: Codable, Equatable, Sendable {
    /// "weight-0/keepalive" and the like: unique within the scenario.
    public var name: String
    /// What this variant does differently, in a sentence.
    public var description: String
    /// The load as `LoadReport.mode` names it, with the offered rate: "http-keepalive-open-loop at 800/s, 40 connections".
    public var load: String
    public var intervalSeconds: Double
    public var events: [ScenarioEvent]
    public var client: [ClientInterval]
    public var director: [DirectorSample]
    /// SYNs the director forwarded to each real per interval, counted on the wire; nil when
    /// they were not counted.
    public var wire: [WireInterval]?
    public var metrics: VariantMetrics
    /// Anything the reader must know to read this variant's numbers (a step that failed, a
    /// gauge the director could not read).
    public var notes: [String]

    public init(name: String, description: String, load: String, intervalSeconds: Double, events: [ScenarioEvent],
                client: [ClientInterval], director: [DirectorSample], wire: [WireInterval]? = nil, metrics: VariantMetrics,
                notes: [String] = []) {
        self.name = name
        self.description = description
        self.load = load
        self.intervalSeconds = intervalSeconds
        self.events = events
        self.client = client
        self.director = director
        self.wire = wire
        self.metrics = metrics
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case name, description, load, intervalSeconds = "interval_s", events, client, director, wire, metrics, notes
    }
}

/// Something done to the lab during the load, when it was done (measured, not planned).
public struct ScenarioEvent: Codable, Equatable, Sendable {
    /// Seconds from the load's start to the moment the first step began.
    public var t: Double
    /// Seconds from the load's start to the moment the last step had finished: a director
    /// count taken from then on includes none of the connections placed before the change.
    public var doneT: Double
    /// "kill real2's servers", "weight of real2 to 0", ...
    public var what: String

    public init(t: Double, doneT: Double? = nil, what: String) {
        self.t = t
        self.doneT = doneT ?? t
        self.what = what
    }

    enum CodingKeys: String, CodingKey {
        case t, doneT = "done_t", what
    }
}

/// One interval of the load generator's timeline.
public struct ClientInterval: Codable, Equatable, Sendable {
    /// Start of the interval, seconds from the load's start.
    public var t: Double
    /// Responses completed.
    public var ok: UInt64
    /// Requests that got no usable response (connect, read or write failures), timeouts not included.
    public var failed: UInt64
    /// Requests with no complete response within the request timeout.
    public var timedOut: UInt64
    public var connectionsOpened: UInt64
    /// p99 latency of the responses completed in the interval; nil when none completed.
    public var p99US: Double?
    /// Responses per real in the interval, by the real's name.
    public var perReal: [String: UInt64]

    public init(t: Double, ok: UInt64, failed: UInt64, timedOut: UInt64, connectionsOpened: UInt64, p99US: Double?,
                perReal: [String: UInt64]) {
        self.t = t
        self.ok = ok
        self.failed = failed
        self.timedOut = timedOut
        self.connectionsOpened = connectionsOpened
        self.p99US = p99US
        self.perReal = perReal
    }

    enum CodingKeys: String, CodingKey {
        case t, ok, failed, timedOut = "timed_out", connectionsOpened = "connections_opened", p99US = "p99_us"
        case perReal = "per_real"
    }

    /// Requests that failed in any way.
    public var lost: UInt64 { failed + timedOut }
}

/// The director at one moment: per real (by address) the connections IPVS has scheduled to
/// it so far (cumulative), its active and inactive connections, and the scenario's own
/// gauges (connection-table entries, memory, which director holds the VIP ...).
public struct DirectorSample: Codable, Equatable, Sendable {
    public var t: Double
    public var reals: [String: RealGauge]
    public var gauges: [String: Double]

    public init(t: Double, reals: [String: RealGauge], gauges: [String: Double] = [:]) {
        self.t = t
        self.reals = reals
        self.gauges = gauges
    }

    public struct RealGauge: Codable, Equatable, Sendable {
        /// Connections scheduled to the real since the service was created (IPVS `Conns`);
        /// nil when the real is not in the service (removed).
        public var scheduled: UInt64?
        public var active: UInt64?
        public var inactive: UInt64?
        /// Entries of the director's connection table pointing at the real, in any state;
        /// these outlive the real's removal from the service.
        public var tableEntries: Int?

        public init(scheduled: UInt64? = nil, active: UInt64? = nil, inactive: UInt64? = nil, tableEntries: Int? = nil) {
            self.scheduled = scheduled
            self.active = active
            self.inactive = inactive
            self.tableEntries = tableEntries
        }

        enum CodingKeys: String, CodingKey {
            case scheduled, active, inactive, tableEntries = "table_entries"
        }
    }
}

/// New connections the director sent to each real in one interval: the SYNs it forwarded,
/// counted on its link toward the reals.
public struct WireInterval: Codable, Equatable, Sendable {
    /// Start of the interval, seconds from the load's start.
    public var t: Double
    /// SYNs per real, by the real's name; reals that got none are absent.
    public var syns: [String: UInt64]

    public init(t: Double, syns: [String: UInt64]) {
        self.t = t
        self.syns = syns
    }

    /// Buckets SYN times (seconds from the load's start) into intervals of `width` from 0,
    /// `count` of them; a SYN outside them is not shown here.
    public static func bucket(_ times: [String: [Double]], width: Double, count: Int) -> [WireInterval] {
        var out = (0..<count).map { WireInterval(t: Double($0) * width, syns: [:]) }
        for (real, list) in times {
            for t in list {
                let i = Int((t / width).rounded(.down))
                guard out.indices.contains(i) else { continue }
                out[i].syns[real, default: 0] += 1
            }
        }
        return out
    }
}
