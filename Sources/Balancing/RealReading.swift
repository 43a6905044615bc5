/// One real server of one virtual service as the balancer counts it: the record the
/// collector, the runner and the lab look reals up in, by address rather than by text.
public struct RealReading: Codable, Equatable, Sendable {
    /// `TCP`, `UDP` or `SCTP`.
    public var proto: String
    public var service: VirtualService
    public var address: String
    public var port: Int
    /// Cumulative since the real was added (or the counters zeroed).
    public var counters: BalancerCounters
    /// Connection entries in use and waiting to expire, when the reading had them.
    public var activeEntries: Int?
    public var inactiveEntries: Int?

    public init(proto: String, service: VirtualService, address: String, port: Int, counters: BalancerCounters,
                activeEntries: Int? = nil, inactiveEntries: Int? = nil) {
        self.proto = proto
        self.service = service
        self.address = address
        self.port = port
        self.counters = counters
        self.activeEntries = activeEntries
        self.inactiveEntries = inactiveEntries
    }

    /// `TCP 198.18.0.10:80 -> 198.18.1.2:80`: the name samples.jsonl files it under.
    public var key: String { "\(proto) \(service.endpoint) -> \(address):\(port)" }

    /// Parses `key`; nil for text of another shape.
    public init?(key: String, counters: BalancerCounters) {
        let halves = key.components(separatedBy: " -> ")
        let head = halves.first?.split(separator: " ", maxSplits: 1).map(String.init) ?? []
        guard halves.count == 2, head.count == 2,
              let service = Self.split(head[1]), let real = Self.split(halves[1]) else { return nil }
        self.init(proto: head[0], service: VirtualService(address: service.0, port: service.1),
                  address: real.0, port: real.1, counters: counters)
    }

    static func split(_ endpoint: String) -> (String, Int)? {
        guard let colon = endpoint.lastIndex(of: ":"), colon != endpoint.startIndex,
              let port = UInt16(endpoint[endpoint.index(after: colon)...]) else { return nil }
        return (String(endpoint[..<colon]), Int(port))
    }
}

/// Counters of one virtual service and of each of its reals.
public struct ServiceReading: Codable, Equatable, Sendable {
    public var proto: String
    public var service: VirtualService
    public var counters: BalancerCounters
    public var reals: [RealReading]

    public init(proto: String, service: VirtualService, counters: BalancerCounters, reals: [RealReading]) {
        self.proto = proto
        self.service = service
        self.counters = counters
        self.reals = reals
    }
}

extension Array where Element == ServiceReading {
    /// The reading of `service`, if the balancer runs it.
    public func service(_ service: VirtualService) -> ServiceReading? { first { $0.service == service } }
}

extension Array where Element == RealReading {
    /// The counters of every service's real at `address` (any port), summed: what a real
    /// server took over all the services it serves.
    public func total(of address: String) -> BalancerCounters {
        filter { $0.address == address }.reduce(.zero) { $0 + $1.counters }
    }
}

extension Array where Element == RealReading {
    /// Counters keyed by each reading's `key`: the form samples.jsonl and the guest agent's
    /// replies carry them in.
    public var keyed: [String: BalancerCounters] {
        Dictionary(map { ($0.key, $0.counters) }, uniquingKeysWith: { _, last in last })
    }

    /// Reads `keyed` back, in key order; nil when a key is not `PROTO ADDR:PORT -> ADDR:PORT`.
    public init?(keyed: [String: BalancerCounters]) {
        var readings: [RealReading] = []
        for (key, counters) in keyed.sorted(by: { $0.key < $1.key }) {
            guard let reading = RealReading(key: key, counters: counters) else { return nil }
            readings.append(reading)
        }
        self = readings
    }
}
