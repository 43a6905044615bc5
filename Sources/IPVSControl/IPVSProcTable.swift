import SystemKit

/// `/proc/net/ip_vs`: virtual services and their reals with weights and the current
/// ActiveConn / InActConn gauges (no cumulative counters: those are in the stats listing).
/// Addresses are hexadecimal there; they are decoded to the `ipvsadm -Ln` spelling.
public struct IPVSProcTable: Codable, Equatable, Sendable {
    public struct Real: Codable, Equatable, Sendable {
        /// `198.18.1.2:80`
        public var address: String
        /// `Masq`, `Route`, `Tunnel` or `Local`, as the kernel prints it.
        public var forward: String
        public var weight: Int
        public var activeConns: Int
        public var inactiveConns: Int
    }

    public struct Service: Codable, Equatable, Sendable {
        /// `TCP`, `UDP`, `SCTP` or `FWM`.
        public var proto: String
        /// `198.18.0.10:80`, or the firewall mark in decimal for `FWM`.
        public var address: String
        public var scheduler: String
        /// The rest of the service line (`persistent 360 FFFFFFFF`, `ops`), verbatim.
        public var flags: String
        public var reals: [Real]
        /// `TCP 198.18.0.10:80`: the key used in summaries.
        public var key: String { "\(proto) \(address)" }
    }

    public var services: [Service]

    public static let source = "/proc/net/ip_vs"

    public init(services: [Service]) { self.services = services }

    public init(parsing text: String) throws {
        let lines = ProcText.lines(text)
        guard let first = lines.first, first.text.hasPrefix("IP Virtual Server") else {
            throw ProcParseError(Self.source, line: 1, "missing the 'IP Virtual Server' header")
        }
        var services: [Service] = []
        for (number, line) in lines.dropFirst() {
            let f = ProcText.fields(line)
            if f.first == "Prot" || (f.first == "->" && f.dropFirst().first == "RemoteAddress:Port") { continue }
            if f.first == "->" {
                guard !services.isEmpty else {
                    throw ProcParseError(Self.source, line: number, "a real server line before any service")
                }
                guard f.count == 6 else {
                    throw ProcParseError(Self.source, line: number, "expected 6 columns for a real server, found \(f.count)")
                }
                let numbers = try f[3...5].map { field -> Int in
                    // The kernel keeps weights and connection counts in 32-bit ints.
                    guard let v = Int(field), v >= 0, v <= Int(Int32.max) else {
                        throw ProcParseError(Self.source, line: number, "'\(field)' is not a count")
                    }
                    return v
                }
                let real = Real(address: try Self.decode(f[1], line: number), forward: String(f[2]),
                                weight: numbers[0], activeConns: numbers[1], inactiveConns: numbers[2])
                services[services.count - 1].reals.append(real)
                continue
            }
            guard f.count >= 3, ["TCP", "UDP", "SCTP", "FWM"].contains(f[0]) else {
                throw ProcParseError(Self.source, line: number, "expected a service line (TCP, UDP, SCTP or FWM), found '\(line)'")
            }
            let address: String
            if f[0] == "FWM" {
                address = String(try ProcText.hex(f[1], Self.source, line: number))
            } else {
                address = try Self.decode(f[1], line: number)
            }
            services.append(Service(proto: String(f[0]), address: address, scheduler: String(f[2]),
                                    flags: f.dropFirst(3).joined(separator: " "), reals: []))
        }
        self.services = services
    }

    /// `C612000A:0050` → `198.18.0.10:80`; `[2001:0db8:...]:0050` → `[2001:db8::...]:80`.
    static func decode(_ field: Substring, line: Int) throws -> String {
        guard let colon = field.lastIndex(of: ":") else {
            throw ProcParseError(source, line: line, "'\(field)' is not ADDRESS:PORT")
        }
        let host = field[..<colon], portText = field[field.index(after: colon)...]
        guard portText.count == 4, let port = UInt16(portText, radix: 16) else {
            throw ProcParseError(source, line: line, "'\(field)' has no hexadecimal port")
        }
        if host.hasPrefix("[") { return "\(host):\(port)" }
        return "\(try IPv4Hex.dotted(host, source: source, line: line)):\(port)"
    }
}

/// IPv4 addresses as IPVS prints them in /proc: eight hex digits, network order.
public enum IPv4Hex {
    public static func dotted(_ hex: Substring, source: String, line: Int) throws -> String {
        guard hex.count == 8, let v = UInt32(hex, radix: 16) else {
            throw ProcParseError(source, line: line, "'\(hex)' is not an IPv4 address in hexadecimal")
        }
        return "\(v >> 24).\((v >> 16) & 255).\((v >> 8) & 255).\(v & 255)"
    }
}
