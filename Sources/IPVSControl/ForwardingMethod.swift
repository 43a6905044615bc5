import SystemKit

/// How the director hands a connection to a real server.
public enum ForwardingMethod: String, CaseIterable, Codable, Sendable {
    /// Masquerading: the director rewrites the destination, replies come back through it.
    case nat
    /// Direct routing: the director rewrites the MAC only; reals answer the client directly.
    case dr
    /// IPIP tunnelling: the director encapsulates; reals decapsulate and answer directly.
    case tun

    /// The `ipvsadm` flag for a real server of this kind (`-m`, `-g`, `-i`).
    public var ipvsadmFlag: String {
        switch self {
        case .nat: return "-m"
        case .dr: return "-g"
        case .tun: return "-i"
        }
    }

    /// The word `ipvsadm -Ln` prints in its Forward column.
    public var ipvsadmForwardName: String {
        switch self {
        case .nat: return "Masq"
        case .dr: return "Route"
        case .tun: return "Tunnel"
        }
    }

    public init?(ipvsadmForwardName name: String) {
        guard let m = ForwardingMethod.allCases.first(where: { $0.ipvsadmForwardName == name }) else { return nil }
        self = m
    }
}
