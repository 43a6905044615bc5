import SystemKit

/// `ipvsadm -L --timeout` (and the guest agent's netlink reading, which prints the same
/// line): the director's connection timeouts. `ipvsadm --set TCP TCPFIN UDP` sets them.
public enum IPVSTimeoutListing {
    public static let source = "ipvsadm -L --timeout"

    /// Parses `Timeout (tcp tcpfin udp): 900 120 300`.
    public static func parse(_ text: String) throws -> ConnectionTimeouts {
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
        return ConnectionTimeouts(tcp: values[0], tcpFin: values[1], udp: values[2])
    }
}
