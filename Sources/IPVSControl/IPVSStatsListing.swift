import SystemKit

/// Packet and byte counters as `ipvsadm -Ln --stats --exact` prints them.
public struct IPVSCounters: Codable, Equatable, Sendable {
    public var connections: UInt64
    public var inPackets: UInt64
    public var outPackets: UInt64
    public var inBytes: UInt64
    public var outBytes: UInt64

    public init(connections: UInt64, inPackets: UInt64, outPackets: UInt64, inBytes: UInt64, outBytes: UInt64) {
        self.connections = connections
        self.inPackets = inPackets
        self.outPackets = outPackets
        self.inBytes = inBytes
        self.outBytes = outBytes
    }
}

/// `ipvsadm -Ln --stats --exact`: services and their reals with Conns, InPkts, OutPkts,
/// InBytes, OutBytes.
public struct IPVSStatsListing: Codable, Equatable, Sendable {
    public struct Real: Codable, Equatable, Sendable {
        public var address: String
        public var port: Int
        public var counters: IPVSCounters
    }

    public struct Service: Codable, Equatable, Sendable {
        public var proto: String
        public var service: VirtualService
        public var counters: IPVSCounters
        public var reals: [Real]
    }

    public var services: [Service]

    public func service(_ s: VirtualService) -> Service? { services.first { $0.service == s } }

    public static func parse(_ text: String) throws -> IPVSStatsListing {
        var services: [Service] = []
        for raw in text.split(separator: "\n") {
            let f = raw.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let first = f.first else { continue }
            if ["TCP", "UDP", "SCTP"].contains(first), f.count == 7 {
                let (addr, port) = try splitEndpoint(f[1], line: String(raw))
                services.append(Service(proto: first, service: VirtualService(address: addr, port: port),
                                        counters: try counters(f[2...], line: String(raw)), reals: []))
            } else if first == "->", f.count == 7 {
                guard !services.isEmpty else { throw InvalidInput("ipvsadm --stats output has a real before any service: \(raw)") }
                let (addr, port) = try splitEndpoint(f[1], line: String(raw))
                services[services.count - 1].reals.append(
                    Real(address: addr, port: port, counters: try counters(f[2...], line: String(raw))))
            }
        }
        return IPVSStatsListing(services: services)
    }

    static func counters(_ f: ArraySlice<String>, line: String) throws -> IPVSCounters {
        let n = f.map { UInt64($0) }
        guard n.count == 5, n.allSatisfy({ $0 != nil }) else {
            throw InvalidInput("cannot read ipvsadm counters (use --exact): \(line)")
        }
        return IPVSCounters(connections: n[0]!, inPackets: n[1]!, outPackets: n[2]!, inBytes: n[3]!, outBytes: n[4]!)
    }

    /// "198.18.1.100:80" -> ("198.18.1.100", 80).
    static func splitEndpoint(_ text: String, line: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw InvalidInput("cannot read address:port '\(text)' in ipvsadm line: \(line)")
        }
        return (String(text[..<colon]), port)
    }
}
