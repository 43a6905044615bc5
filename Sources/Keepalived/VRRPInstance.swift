/// A keepalived `vrrp_instance`: directors that share a `virtualRouterID` elect the one of
/// highest priority to hold the virtual addresses; the others take over when its adverts stop.
public struct VRRPInstance: Equatable, Sendable {
    public enum State: String, Sendable {
        case master = "MASTER", backup = "BACKUP"
    }

    /// An address the instance holds: "198.18.1.100/24" on `device`.
    public struct VirtualAddress: Equatable, Sendable {
        public var address: String
        public var device: String

        public init(address: String, device: String) {
            self.address = address
            self.device = device
        }
    }

    public var name: String
    public var state: State
    /// The interface adverts go out on.
    public var interface: String
    /// 1 to 255, the same on every director of the instance.
    public var virtualRouterID: Int
    /// 1 to 255; the highest live one is master.
    public var priority: Int
    /// Seconds between adverts; a backup takes over after about three missed.
    public var advertInterval: Int
    public var virtualAddresses: [VirtualAddress]
    /// With `unicastPeers`, adverts go to each peer from this address instead of multicast.
    public var unicastSource: String?
    public var unicastPeers: [String]

    public init(name: String, state: State, interface: String, virtualRouterID: Int, priority: Int, advertInterval: Int = 1,
                virtualAddresses: [VirtualAddress], unicastSource: String? = nil, unicastPeers: [String] = []) {
        self.name = name
        self.state = state
        self.interface = interface
        self.virtualRouterID = virtualRouterID
        self.priority = priority
        self.advertInterval = advertInterval
        self.virtualAddresses = virtualAddresses
        self.unicastSource = unicastSource
        self.unicastPeers = unicastPeers
    }

    var lines: [String] {
        var lines = [
            "vrrp_instance \(name) {",
            "    state \(state.rawValue)",
            "    interface \(interface)",
            "    virtual_router_id \(virtualRouterID)",
            "    priority \(priority)",
            "    advert_int \(advertInterval)",
            "    virtual_ipaddress {",
        ]
        lines += virtualAddresses.map { "        \($0.address) dev \($0.device)" }
        lines.append("    }")
        if let source = unicastSource { lines.append("    unicast_src_ip \(source)") }
        if !unicastPeers.isEmpty {
            lines.append("    unicast_peer {")
            lines += unicastPeers.map { "        \($0)" }
            lines.append("    }")
        }
        lines.append("}")
        return lines
    }
}
