import SystemKit

/// The director's IPVS connection timeouts in seconds, as `ipvsadm -L --timeout` prints them
/// and `ipvsadm --set TCP TCPFIN UDP` sets them.
public struct IPVSTimeouts: Codable, Equatable, Sendable {
    public var tcp: Int
    public var tcpFin: Int
    public var udp: Int

    public init(tcp: Int, tcpFin: Int, udp: Int) {
        self.tcp = tcp
        self.tcpFin = tcpFin
        self.udp = udp
    }

    /// Parses `Timeout (tcp tcpfin udp): 900 120 300`.
    public init(parsing text: String) throws {
        let source = "ipvsadm -L --timeout"
        guard let (number, line) = ProcText.lines(text).first(where: { $0.text.hasPrefix("Timeout") }) else {
            throw ProcParseError(source, line: 0, "no 'Timeout (tcp tcpfin udp):' line")
        }
        guard let colon = line.firstIndex(of: ":") else {
            throw ProcParseError(source, line: number, "no ':' after 'Timeout (tcp tcpfin udp)'")
        }
        let values = ProcText.fields(line[line.index(after: colon)...]).compactMap { Int($0) }.filter { $0 >= 0 }
        guard values.count == 3, ProcText.fields(line[line.index(after: colon)...]).count == 3 else {
            throw ProcParseError(source, line: number, "expected three whole numbers (tcp tcpfin udp)")
        }
        self.init(tcp: values[0], tcpFin: values[1], udp: values[2])
    }
}
