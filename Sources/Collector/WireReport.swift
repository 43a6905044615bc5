import Lab

/// Packets and bytes seen in one direction of a director link.
public struct WireCounts: Codable, Equatable, Sendable {
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    /// TCP packets from a service port (80, 9000): server replies.
    public var replies: UInt64 = 0
    /// IPIP (IP protocol 4) packets: tun mode's encapsulated requests.
    public var ipip: UInt64 = 0

    public init() {}

    mutating func add(_ other: WireCounts) {
        packets += other.packets
        bytes += other.bytes
        replies += other.replies
        ipip += other.ipip
    }

    /// One captured frame of `bytes` on the wire, with its headers when they parsed.
    mutating func count(_ headers: PacketHeaders?, bytes: UInt64, servicePorts: Set<UInt16>) {
        packets += 1
        self.bytes += bytes
        guard let headers else { return }
        if headers.isIPIP { ipip += 1 }
        if headers.isReply(servicePorts: servicePorts) { replies += 1 }
    }
}

/// One director link's traffic over the capture.
public struct WireLinkReport: Codable, Equatable, Sendable {
    public var link: CaptureLink
    /// Sent by the switch side into the director.
    public var toDirector: WireCounts
    /// Sent by the director.
    public var fromDirector: WireCounts
    /// Packets the kernel dropped because the capture did not keep up (pcap_stats). One
    /// capture serves all links of a namespace: its drops are on the first link's report.
    public var kernelDrops: UInt64
}

/// Time from a packet entering the director to the same packet leaving it, microseconds.
public struct TransitLatency: Codable, Equatable, Sendable {
    public var matched: UInt64
    /// Packets seen entering (or leaving) without their other half within 2 s: traffic
    /// that ends or starts at the director itself (ARP, the UML agent), or lost packets.
    public var unmatched: UInt64
    public var p50: UInt64?
    public var p90: UInt64?
    public var p99: UInt64?
    public var max: UInt64?
    public var mean: Double?
}

/// What the capture on the director's links saw.
public struct WireReport: Codable, Equatable, Sendable {
    public var seconds: Double
    public var links: [WireLinkReport]
    public var transit: TransitLatency

    /// Both directions of every link added up.
    public var total: WireCounts {
        var t = WireCounts()
        for l in links {
            t.add(l.toDirector)
            t.add(l.fromDirector)
        }
        return t
    }
}
