import Balancing
import SystemKit

/// Netfilter keeps a connection's DNAT in its conntrack entry, so the balancer's connection
/// timeouts are conntrack's, set per network namespace (a guest director: its whole kernel):
/// established TCP, TCP after a FIN (`fin_wait`), and UDP with replies (`udp_timeout_stream`,
/// the state a balanced UDP flow is in).
enum ConntrackTimeouts {
    static let keys = [
        "net.netfilter.nf_conntrack_tcp_timeout_established",
        "net.netfilter.nf_conntrack_tcp_timeout_fin_wait",
        "net.netfilter.nf_conntrack_udp_timeout_stream",
    ]

    static func read(_ runner: any CommandRunning) throws -> ConnectionTimeouts {
        let values = try runner.check(["sysctl", "-n"] + keys).stdout.split(whereSeparator: \.isNewline).compactMap { Int($0) }
        guard values.count == 3 else { throw ProcParseError("sysctl " + keys.joined(separator: " "), line: 0, "expected three numbers") }
        return ConnectionTimeouts(tcp: values[0], tcpFin: values[1], udp: values[2])
    }

    static func write(_ timeouts: ConnectionTimeouts, _ runner: any CommandRunning) throws {
        let values = [timeouts.tcp, timeouts.tcpFin, timeouts.udp]
        try runner.check(["sysctl", "-q", "-w"] + zip(keys, values).map { "\($0)=\($1)" })
    }
}
