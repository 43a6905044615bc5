import SystemKit
#if canImport(Glibc)
import Glibc
#endif

/// A generic netlink socket (NETLINK_GENERIC) of this process's network namespace: requests
/// go out one at a time and their replies are read until NLMSG_DONE (a dump) or the single
/// reply. Family ids are looked up once per socket. Not thread-safe: one per thread.
public final class NetlinkSocket {
    private let fd: Int32
    private var sequence: UInt32 = 1
    private var families: [String: UInt16] = [:]
    /// Every datagram received, when recording (for recorded-bytes tests).
    public var recorded: [[UInt8]]?

    public init() throws {
        fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 16 /* NETLINK_GENERIC */)
        guard fd >= 0 else { throw RuntimeFailure("cannot open a generic netlink socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = NetlinkAddress()
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<NetlinkAddress>.size)) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw RuntimeFailure("cannot bind a generic netlink socket: \(reason)")
        }
    }

    deinit { close(fd) }

    /// The id of generic netlink family `name` (CTRL_CMD_GETFAMILY to nlctrl, id 0x10).
    public func family(named name: String) throws -> UInt16 {
        if let id = families[name] { return id }
        let replies = try exchange(family: 0x10, command: 3 /* CTRL_CMD_GETFAMILY */, version: 1,
                                   flags: NetlinkMessage.request, attributes: [.string(2 /* FAMILY_NAME */, name)],
                                   what: "the \(name) netlink family", absent: "the kernel has no \(name) netlink family (is its module loaded?)")
        for message in replies {
            if let idAttr = try message.genlAttributes().first(where: { $0.type == 1 /* FAMILY_ID */ }) {
                let id = try idAttr.u16()
                families[name] = id
                return id
            }
        }
        throw NetlinkError("the reply for netlink family \(name) carries no id")
    }

    /// Sends a dump request and returns every reply message up to NLMSG_DONE.
    public func dump(family: UInt16, command: UInt8, version: UInt8, attributes: [NetlinkAttribute]) throws -> [NetlinkMessage] {
        try exchange(family: family, command: command, version: version,
                     flags: NetlinkMessage.request | NetlinkMessage.dump, attributes: attributes,
                     what: "netlink command \(command) of family \(family)", absent: nil)
    }

    /// Sends a plain request and returns its reply.
    public func request(family: UInt16, command: UInt8, version: UInt8, attributes: [NetlinkAttribute]) throws -> [NetlinkMessage] {
        try exchange(family: family, command: command, version: version, flags: NetlinkMessage.request,
                     attributes: attributes, what: "netlink command \(command) of family \(family)", absent: nil)
    }

    private func exchange(family: UInt16, command: UInt8, version: UInt8, flags: UInt16, attributes: [NetlinkAttribute],
                          what: String, absent: String?) throws -> [NetlinkMessage] {
        sequence &+= 1
        let seq = sequence
        let request = NetlinkMessage.genl(family: family, command: command, version: version, flags: flags,
                                          sequence: seq, attributes: attributes)
        var kernel = NetlinkAddress()
        let sent = request.withUnsafeBytes { buf in
            withUnsafePointer(to: &kernel) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<NetlinkAddress>.size))
                }
            }
        }
        guard sent == request.count else { throw RuntimeFailure("cannot send \(what): \(String(cString: strerror(errno)))") }
        var messages: [NetlinkMessage] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw RuntimeFailure("no reply to \(what): \(String(cString: strerror(errno)))") }
            let datagram = Array(buffer[0..<n])
            recorded?.append(datagram)
            for message in try NetlinkMessage.split(datagram) where message.sequence == seq {
                if let code = message.errorCode {
                    if code == 0 { continue }
                    if code == -ENOENT, let absent { throw RuntimeFailure(absent) }
                    throw RuntimeFailure("the kernel refused \(what): \(String(cString: strerror(-code)))")
                }
                if message.type == NetlinkMessage.done { return messages }
                messages.append(message)
                if message.flags & NetlinkMessage.multi == 0 { return messages }
            }
        }
    }
}

/// `struct sockaddr_nl` (linux/netlink.h), which Glibc's module does not export: family,
/// padding, port id (0: the kernel, or let it choose ours), multicast groups.
struct NetlinkAddress {
    var family = UInt16(AF_NETLINK)
    var pad: UInt16 = 0
    var pid: UInt32 = 0
    var groups: UInt32 = 0
}
