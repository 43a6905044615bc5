/// Which traffic a director link carries.
public enum CaptureSide: String, Codable, Sendable {
    /// Toward the router and the client (nat, mixed).
    case outside
    /// Toward the reals (nat, mixed).
    case inside
    /// The one link of a one-armed director (dr, tun): client requests and forwarded packets.
    case lan
}

/// A director link as seen from the switch namespace, where a packet capture sees exactly
/// what enters and leaves the director wherever it runs (a tap of the UML guest or the
/// switch end of the native director's veth).
public struct CaptureLink: Codable, Equatable, Sendable {
    public var namespace: String
    public var interface: String
    public var side: CaptureSide

    public init(namespace: String, interface: String, side: CaptureSide) {
        self.namespace = namespace
        self.interface = interface
        self.side = side
    }
}
