/// How long the balancer keeps an idle connection's entry, in seconds: established TCP,
/// TCP after a FIN, and UDP.
public struct ConnectionTimeouts: Codable, Equatable, Sendable, CustomStringConvertible {
    public var tcp: Int
    public var tcpFin: Int
    public var udp: Int

    public init(tcp: Int, tcpFin: Int, udp: Int) {
        self.tcp = tcp
        self.tcpFin = tcpFin
        self.udp = udp
    }

    /// "900 120 300" (tcp tcpfin udp): the form the tuner's undo log records.
    public var description: String { "\(tcp) \(tcpFin) \(udp)" }

    /// Reads `description`'s form back; nil for anything else.
    public init?(_ text: String) {
        let values = text.split(separator: " ").map { Int($0) }
        guard values.count == 3, let tcp = values[0], let fin = values[1], let udp = values[2] else { return nil }
        self.init(tcp: tcp, tcpFin: fin, udp: udp)
    }
}
