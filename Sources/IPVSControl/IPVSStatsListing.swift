import SystemKit

/// `ipvsadm -Ln --stats --exact`: services and their reals with Conns, InPkts, OutPkts,
/// InBytes, OutBytes.
public struct IPVSStatsListing: Codable, Equatable, Sendable {
    public var services: [ServiceReading]

    public func service(_ s: VirtualService) -> ServiceReading? { services.service(s) }

    public static let source = "ipvsadm -Ln --stats --exact"

    public static func parse(_ text: String) throws -> IPVSStatsListing {
        var services: [ServiceReading] = []
        for (number, raw) in ProcText.lines(text) {
            let f = ProcText.fields(raw).map(String.init)
            guard let first = f.first else { continue }
            if ["TCP", "UDP", "SCTP"].contains(first), f.count == 7 {
                let (addr, port) = try splitEndpoint(f[1], source: source, line: number)
                services.append(ServiceReading(proto: first, service: VirtualService(address: addr, port: port),
                                               counters: try counters(f[2...], line: number), reals: []))
            } else if first == "->", f.count == 7 {
                guard let service = services.last else { throw ProcParseError(source, line: number, "a real before any service") }
                let (addr, port) = try splitEndpoint(f[1], source: source, line: number)
                services[services.count - 1].reals.append(
                    RealReading(proto: service.proto, service: service.service, address: addr, port: port,
                                counters: try counters(f[2...], line: number)))
            }
        }
        return IPVSStatsListing(services: services)
    }

    static func counters(_ f: ArraySlice<String>, line: Int) throws -> BalancerCounters {
        let n = f.map { UInt64($0) }
        guard n.count == 5, n.allSatisfy({ $0 != nil }) else {
            throw ProcParseError(source, line: line, "expected five whole counters (run ipvsadm with --exact)")
        }
        if let huge = n.first(where: { $0! > BalancerCounters.maximum }) {
            throw ProcParseError(source, line: line, "\(huge!) is beyond any IPVS counter")
        }
        return BalancerCounters(conns: n[0]!, inPackets: n[1]!, outPackets: n[2]!, inBytes: n[3]!, outBytes: n[4]!)
    }

    /// "198.18.1.100:80" -> ("198.18.1.100", 80); the port must be 0 to 65535.
    static func splitEndpoint(_ text: String, source: String, line: Int) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let port = UInt16(text[text.index(after: colon)...]) else {
            throw ProcParseError(source, line: line, "'\(text)' is not ADDRESS:PORT")
        }
        return (String(text[..<colon]), Int(port))
    }
}

extension IPVSStatsListing {
    /// Every real of every service, the form the collector keeps them in.
    public static func realCounters(parsing text: String) throws -> [RealReading] {
        try parse(text).services.flatMap(\.reals)
    }
}
