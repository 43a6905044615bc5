import SystemKit
import Vocabulary

/// `ipvsadm -Ln`: services with scheduler and flags, reals with Forward, Weight, ActiveConn,
/// InActConn.
public struct IPVSListing: Codable, Equatable, Sendable {
    public struct Real: Codable, Equatable, Sendable {
        public var address: String
        public var port: Int
        public var forwarding: ForwardingMethod?
        public var weight: Int
        public var activeConnections: Int
        public var inactiveConnections: Int
    }

    public struct Service: Codable, Equatable, Sendable {
        public var proto: String
        public var service: VirtualService
        public var scheduler: String
        /// The rest of the service line, e.g. "persistent 60".
        public var flags: String
        public var reals: [Real]
    }

    public var services: [Service]

    public func service(_ s: VirtualService) -> Service? { services.first { $0.service == s } }

    public static let source = "ipvsadm -Ln"

    /// Parses the listing; a line that has the shape of a service or real but not its
    /// contents is a `ProcParseError` naming the line.
    public static func parse(_ text: String) throws -> IPVSListing {
        var services: [Service] = []
        for (number, raw) in ProcText.lines(text) {
            let f = ProcText.fields(raw).map(String.init)
            guard let first = f.first else { continue }
            if ["TCP", "UDP", "SCTP"].contains(first), f.count >= 3 {
                let (addr, port) = try IPVSStatsListing.splitEndpoint(f[1], source: source, line: number)
                services.append(Service(proto: first, service: VirtualService(address: addr, port: port),
                                        scheduler: f[2], flags: f.dropFirst(3).joined(separator: " "), reals: []))
            } else if first == "->", f.count >= 6, f[1] != "RemoteAddress:Port" {
                guard !services.isEmpty else { throw ProcParseError(source, line: number, "a real before any service") }
                let (addr, port) = try IPVSStatsListing.splitEndpoint(f[1], source: source, line: number)
                // The kernel keeps weights and connection counts in 32-bit ints.
                let counts = (0...Int(Int32.max))
                guard let w = Int(f[3]), let a = Int(f[4]), let i = Int(f[5]),
                      counts.contains(w), counts.contains(a), counts.contains(i) else {
                    throw ProcParseError(source, line: number, "expected Weight ActiveConn InActConn counts, found '\(raw)'")
                }
                services[services.count - 1].reals.append(
                    Real(address: addr, port: port, forwarding: ForwardingMethod(ipvsadmForwardName: f[2]),
                         weight: w, activeConnections: a, inactiveConnections: i))
            }
        }
        return IPVSListing(services: services)
    }
}
