import SystemKit
#if canImport(Glibc)
import Glibc
#endif

/// Per-real counters straight from the kernel's IPVS generic netlink family (the one
/// ipvsadm itself uses), so a sampler needs no process per sample: in a one-CPU user-mode
/// Linux director a process costs tens of milliseconds of the CPU that forwards the
/// traffic. Layout from include/uapi/linux/ip_vs.h: GET_SERVICE dumps services,
/// GET_DEST (with the service's identity nested) dumps its reals, each with a nested
/// STATS64 (all u64) or, from older kernels, STATS (u32 counts, u64 bytes), and its
/// connection entries (ACTIVE_CONNS, INACT_CONNS: ipvsadm -Ln's ActiveConn and InActConn).
public enum IPVSNetlink {
    public static let familyName = "IPVS"
    public static let version: UInt8 = 1

    enum Command {
        static let getService: UInt8 = 4
        static let getDest: UInt8 = 8
        static let getConfig: UInt8 = 13
    }
    enum CommandAttribute {
        static let service: UInt16 = 1
        static let dest: UInt16 = 2
        static let timeoutTCP: UInt16 = 4, timeoutTCPFin: UInt16 = 5, timeoutUDP: UInt16 = 6
    }
    enum ServiceAttribute {
        static let family: UInt16 = 1, proto: UInt16 = 2, address: UInt16 = 3, port: UInt16 = 4, fwmark: UInt16 = 5
        static let stats: UInt16 = 10, stats64: UInt16 = 12
    }
    enum DestAttribute {
        static let address: UInt16 = 1, port: UInt16 = 2, activeConns: UInt16 = 7, inactiveConns: UInt16 = 8
        static let stats: UInt16 = 10, addressFamily: UInt16 = 11, stats64: UInt16 = 12
    }
    enum StatsAttribute {
        static let conns: UInt16 = 1, inPackets: UInt16 = 2, outPackets: UInt16 = 3, inBytes: UInt16 = 4, outBytes: UInt16 = 5
    }

    /// A virtual service as GET_SERVICE reports it; `identity` is what GET_DEST needs back.
    public struct Service: Equatable, Sendable {
        public var family: UInt16
        public var proto: String
        public var address: String
        public var port: Int
        /// AF, protocol, address and port (or fwmark) attributes, as sent back in GET_DEST.
        public var identity: [NetlinkAttribute]
        /// Set for firewall-mark services, which the collector's keys do not cover.
        public var fwmark: UInt32?
    }

    /// The services in GET_SERVICE's reply messages.
    public static func services(from messages: [NetlinkMessage]) throws -> [Service] {
        try messages.filter { $0.type != NetlinkMessage.done && $0.type != NetlinkMessage.error }.compactMap { message in
            guard let nest = try message.genlAttributes().first(where: { $0.type == CommandAttribute.service }) else { return nil }
            let attrs = try nest.children()
            func attr(_ t: UInt16) -> NetlinkAttribute? { attrs.first { $0.type == t } }
            guard let af = try attr(ServiceAttribute.family)?.u16(), let proto = try attr(ServiceAttribute.proto)?.u16() else {
                throw NetlinkError("an IPVS service without address family or protocol")
            }
            if let mark = try attr(ServiceAttribute.fwmark)?.u32(), mark != 0 {
                return Service(family: af, proto: protocolName(proto), address: "", port: 0,
                               identity: attrs.filter { [ServiceAttribute.family, ServiceAttribute.proto, ServiceAttribute.fwmark].contains($0.type) },
                               fwmark: mark)
            }
            guard let addr = attr(ServiceAttribute.address), let port = attr(ServiceAttribute.port) else {
                throw NetlinkError("an IPVS service without address or port")
            }
            return Service(family: af, proto: protocolName(proto), address: try address(addr.payload, family: af), port: Int(try bigEndianPort(port)),
                           identity: attrs.filter { [ServiceAttribute.family, ServiceAttribute.proto, ServiceAttribute.address,
                                                     ServiceAttribute.port].contains($0.type) },
                           fwmark: nil)
        }
    }

    /// The reals in GET_DEST's reply messages for `service`, as `IPVSStatsListing.realCounters`
    /// gives them, with their active and inactive connection entries (as `ipvsadm -Ln`
    /// lists them) when the reply carries them.
    public static func reals(from messages: [NetlinkMessage], of service: Service) throws -> [RealReading] {
        var result: [RealReading] = []
        let virtual = VirtualService(address: service.address, port: service.port)
        for message in messages where message.type != NetlinkMessage.done && message.type != NetlinkMessage.error {
            guard let nest = try message.genlAttributes().first(where: { $0.type == CommandAttribute.dest }) else { continue }
            let attrs = try nest.children()
            func attr(_ t: UInt16) -> NetlinkAttribute? { attrs.first { $0.type == t } }
            guard let addr = attr(DestAttribute.address), let port = attr(DestAttribute.port) else {
                throw NetlinkError("an IPVS real without address or port")
            }
            // ADDR_FAMILY exists since 4.x (reals of another family than the service); else the service's.
            let family = try attr(DestAttribute.addressFamily)?.u16() ?? service.family
            let counters: BalancerCounters
            if let s64 = attr(DestAttribute.stats64) {
                counters = try stats(s64, wide: true)
            } else if let s = attr(DestAttribute.stats) {
                counters = try stats(s, wide: false)
            } else {
                throw NetlinkError("an IPVS real without statistics")
            }
            let active = try attr(DestAttribute.activeConns)?.u32(), inactive = try attr(DestAttribute.inactiveConns)?.u32()
            result.append(RealReading(proto: service.proto, service: virtual, address: try address(addr.payload, family: family),
                                      port: Int(try bigEndianPort(port)), counters: counters,
                                      activeEntries: active.map { Int($0) },
                                      inactiveEntries: inactive.map { Int($0) }))
        }
        return result
    }

    static func stats(_ nest: NetlinkAttribute, wide: Bool) throws -> BalancerCounters {
        let attrs = try nest.children()
        func value(_ t: UInt16, u64: Bool) throws -> UInt64 {
            guard let a = attrs.first(where: { $0.type == t }) else { throw NetlinkError("IPVS statistics without attribute \(t)") }
            let v = u64 ? try a.u64() : UInt64(try a.u32())
            guard v <= BalancerCounters.maximum else { throw NetlinkError("\(v) is beyond any IPVS counter") }
            return v
        }
        return BalancerCounters(conns: try value(StatsAttribute.conns, u64: wide),
                            inPackets: try value(StatsAttribute.inPackets, u64: wide),
                            outPackets: try value(StatsAttribute.outPackets, u64: wide),
                            inBytes: try value(StatsAttribute.inBytes, u64: true),
                            outBytes: try value(StatsAttribute.outBytes, u64: true))
    }

    static func bigEndianPort(_ a: NetlinkAttribute) throws -> UInt16 {
        let raw = try a.u16()
        return UInt16(raw & 0xFF) << 8 | raw >> 8
    }

    static func protocolName(_ proto: UInt16) -> String {
        switch proto {
        case 6: return "TCP"
        case 17: return "UDP"
        case 132: return "SCTP"
        default: return "proto\(proto)"
        }
    }

    /// An `nf_inet_addr` (16 bytes; IPv4 in the first 4) as `ipvsadm -n` prints it.
    static func address(_ bytes: [UInt8], family: UInt16) throws -> String {
        let af = Int32(family), size = af == AF_INET ? 4 : 16
        guard af == AF_INET || af == AF_INET6, bytes.count >= size else {
            throw NetlinkError("an address of family \(family) in \(bytes.count) bytes")
        }
        var text = [CChar](repeating: 0, count: 64)
        guard inet_ntop(af, bytes, &text, socklen_t(text.count)) != nil else {
            throw NetlinkError("an address of family \(family) that inet_ntop refuses")
        }
        let plain = String(cString: text)
        return af == AF_INET ? plain : "[" + plain + "]"
    }

    /// GET_CONFIG's reply as `ipvsadm -L --timeout` prints it: `Timeout (tcp tcpfin udp): 900 120 300`.
    public static func timeoutLine(from messages: [NetlinkMessage]) throws -> String {
        guard let attrs = try messages.first?.genlAttributes() else { throw NetlinkError("no reply to IPVS GET_CONFIG") }
        func value(_ t: UInt16) throws -> UInt32 {
            guard let a = attrs.first(where: { $0.type == t }) else { throw NetlinkError("IPVS GET_CONFIG without attribute \(t)") }
            return try a.u32()
        }
        return "Timeout (tcp tcpfin udp): \(try value(CommandAttribute.timeoutTCP)) \(try value(CommandAttribute.timeoutTCPFin)) \(try value(CommandAttribute.timeoutUDP))\n"
    }

    /// The timeouts, over `socket`.
    public static func timeouts(over socket: NetlinkSocket) throws -> String {
        let family = try socket.family(named: familyName)
        return try timeoutLine(from: socket.request(family: family, command: Command.getConfig, version: version, attributes: []))
    }

    /// Every real's cumulative counters, read over `socket` (one GET_SERVICE dump, one
    /// GET_DEST dump per service). Firewall-mark services are skipped, as in the listing.
    public static func realCounters(over socket: NetlinkSocket) throws -> [RealReading] {
        let family = try socket.family(named: familyName)
        let services = try services(from: socket.dump(family: family, command: Command.getService, version: version, attributes: []))
        var result: [RealReading] = []
        for service in services where service.fwmark == nil {
            let replies = try socket.dump(family: family, command: Command.getDest, version: version,
                                          attributes: [.nest(CommandAttribute.service, service.identity)])
            result += try reals(from: replies, of: service)
        }
        return result
    }
}
