import Vocabulary

/// How `ipvsadm` spells each forwarding method, in its options and in its listings.
extension ForwardingMethod {
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
