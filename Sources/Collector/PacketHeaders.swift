/// The few header fields the wire capture needs, from an Ethernet frame: the IPv4 header,
/// the TCP ports/sequence numbers, and for IPIP (protocol 4) the inner packet's.
public struct PacketHeaders: Equatable, Sendable {
    public var source: UInt32
    public var destination: UInt32
    /// IP protocol of the outer header (6 TCP, 17 UDP, 4 IPIP).
    public var proto: UInt8
    /// The packet the director forwards, which for IPIP is the inner one.
    public var inner: Inner?

    public struct Inner: Equatable, Sendable {
        public var source: UInt32
        public var destination: UInt32
        public var ipID: UInt16
        public var sourcePort: UInt16
        public var destinationPort: UInt16
        public var seq: UInt32
        public var ack: UInt32
        public var flags: UInt8
        /// TCP payload bytes (IP total length minus headers).
        public var payload: Int
    }

    public var isIPIP: Bool { proto == 4 }

    /// Parses an Ethernet frame; nil for anything that is not IPv4, or too short.
    public static func parse(ethernet frame: UnsafeRawBufferPointer) -> PacketHeaders? {
        guard frame.count >= 14 else { return nil }
        let etherType = UInt16(frame[12]) << 8 | UInt16(frame[13])
        guard etherType == 0x0800 else { return nil }
        return parse(ipv4: UnsafeRawBufferPointer(rebasing: frame[14...]))
    }

    /// Bytes of a Linux cooked v2 (`DLT_LINUX_SLL2`) header.
    public static let cookedLength: Int32 = 20

    /// A Linux cooked v2 frame: the interface it was seen on, whether that interface sent
    /// it (packet type 4, `PACKET_OUTGOING`; anything else it received), and, when it
    /// carries IPv4, its headers. nil for a frame shorter than the cooked header.
    /// Layout: protocol (2), reserved (2), interface index (4), ARPHRD type (2), packet
    /// type (1), address length (1), address (8).
    public static func parse(cooked frame: UnsafeRawBufferPointer)
        -> (interface: UInt32, outgoing: Bool, headers: PacketHeaders?)? {
        let length = Int(cookedLength)
        guard frame.count >= length else { return nil }
        let ipv4 = be16(frame, 0) == 0x0800 ? parse(ipv4: UnsafeRawBufferPointer(rebasing: frame[length...])) : nil
        return (be32(frame, 4), frame[10] == 4, ipv4)
    }

    /// Parses an IPv4 packet (and, for IPIP, its inner packet).
    public static func parse(ipv4 p: UnsafeRawBufferPointer) -> PacketHeaders? {
        guard p.count >= 20, p[0] >> 4 == 4 else { return nil }
        let ihl = Int(p[0] & 0x0f) * 4
        guard ihl >= 20, p.count >= ihl else { return nil }
        let proto = p[9]
        var headers = PacketHeaders(source: be32(p, 12), destination: be32(p, 16), proto: proto, inner: nil)
        if proto == 4 {
            headers.inner = parse(ipv4: UnsafeRawBufferPointer(rebasing: p[ihl...]))?.inner
        } else if proto == 6, p.count >= ihl + 20 {
            let totalLength = Int(be16(p, 2))
            let tcpHeader = Int(p[ihl + 12] >> 4) * 4
            headers.inner = Inner(source: headers.source, destination: headers.destination, ipID: be16(p, 4),
                                  sourcePort: be16(p, ihl), destinationPort: be16(p, ihl + 2),
                                  seq: be32(p, ihl + 4), ack: be32(p, ihl + 8), flags: p[ihl + 13],
                                  payload: max(0, totalLength - ihl - tcpHeader))
        }
        return headers
    }

    static func be16(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt16 { UInt16(p[i]) << 8 | UInt16(p[i + 1]) }
    static func be32(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(p[i]) << 24 | UInt32(p[i + 1]) << 16 | UInt32(p[i + 2]) << 8 | UInt32(p[i + 3])
    }

    /// Whether this is a reply of a lab service: TCP from one of `ports` (the server side).
    public func isReply(servicePorts ports: Set<UInt16>) -> Bool {
        guard let inner else { return false }
        return ports.contains(inner.sourcePort)
    }

    /// What stays the same when the director forwards the packet: NAT rewrites the
    /// server-side address (VIP <-> RIP), DR the MAC only, TUN wraps it in an outer header.
    /// So the key is the client-side endpoint, the IP id and the TCP sequence state.
    public func transitKey(servicePorts ports: Set<UInt16>) -> TransitKey? {
        guard let i = inner else { return nil }
        let clientIsSource = !ports.contains(i.sourcePort)
        return TransitKey(client: clientIsSource ? i.source : i.destination,
                          clientPort: clientIsSource ? i.sourcePort : i.destinationPort,
                          towardServer: clientIsSource, ipID: i.ipID, seq: i.seq, ack: i.ack,
                          flags: i.flags, payload: i.payload)
    }
}

/// Identifies one packet on both sides of the director.
public struct TransitKey: Hashable, Sendable {
    var client: UInt32
    var clientPort: UInt16
    var towardServer: Bool
    var ipID: UInt16
    var seq: UInt32
    var ack: UInt32
    var flags: UInt8
    var payload: Int
}

extension UInt32 {
    /// `198.18.0.10` → its IPv4 value; nil when not a dotted quad.
    public init?(ipv4 text: String) {
        let parts = text.split(separator: ".").compactMap { UInt8($0) }
        guard parts.count == 4, text.split(separator: ".").count == 4 else { return nil }
        self = parts.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
