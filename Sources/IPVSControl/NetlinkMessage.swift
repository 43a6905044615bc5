import SystemKit

/// Generic netlink messages as bytes: building requests and splitting replies into
/// messages and attributes. Pure, so the parsing is tested on recorded bytes; the socket
/// that carries them is `NetlinkSocket`. Integers are in host order (netlink's own), except
/// where an attribute's payload says otherwise (IPVS ports are big-endian).
public struct NetlinkMessage: Equatable, Sendable {
    public var type: UInt16
    public var flags: UInt16
    public var sequence: UInt32
    /// Everything after the 16-byte header (for generic netlink: the 4-byte genl header,
    /// then attributes).
    public var payload: [UInt8]

    public static let done: UInt16 = 3
    public static let error: UInt16 = 2
    public static let request: UInt16 = 1
    public static let multi: UInt16 = 2
    public static let dump: UInt16 = 0x300

    public init(type: UInt16, flags: UInt16, sequence: UInt32, payload: [UInt8]) {
        self.type = type
        self.flags = flags
        self.sequence = sequence
        self.payload = payload
    }

    /// A generic netlink request: header, genl header (`command`, `version`), attributes.
    public static func genl(family: UInt16, command: UInt8, version: UInt8, flags: UInt16, sequence: UInt32,
                            attributes: [NetlinkAttribute]) -> [UInt8] {
        var body: [UInt8] = [command, version, 0, 0]
        for a in attributes { body += a.bytes }
        return NetlinkMessage(type: family, flags: flags, sequence: sequence, payload: body).bytes
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.appendLE(UInt32(16 + payload.count))
        out.appendLE(type)
        out.appendLE(flags)
        out.appendLE(sequence)
        out.appendLE(UInt32(0))
        return out + payload
    }

    /// The messages in one datagram; a length that runs past the end is an error.
    public static func split(_ data: [UInt8]) throws -> [NetlinkMessage] {
        var messages: [NetlinkMessage] = []
        var offset = 0
        while offset + 16 <= data.count {
            let length = Int(data.readLE(UInt32.self, at: offset))
            guard length >= 16, offset + length <= data.count else {
                throw NetlinkError("a netlink message of \(length) bytes at offset \(offset) does not fit the \(data.count) received")
            }
            messages.append(NetlinkMessage(type: data.readLE(UInt16.self, at: offset + 4),
                                           flags: data.readLE(UInt16.self, at: offset + 6),
                                           sequence: data.readLE(UInt32.self, at: offset + 8),
                                           payload: Array(data[(offset + 16)..<(offset + length)])))
            offset += (length + 3) & ~3
        }
        return messages
    }

    /// For an error message: the (negative) errno, 0 for an acknowledgement.
    public var errorCode: Int32? {
        guard type == Self.error, payload.count >= 4 else { return nil }
        return Int32(bitPattern: payload.readLE(UInt32.self, at: 0))
    }

    /// The attributes after the genl header.
    public func genlAttributes() throws -> [NetlinkAttribute] {
        guard payload.count >= 4 else { throw NetlinkError("a generic netlink message of \(payload.count) bytes has no genl header") }
        return try NetlinkAttribute.parse(Array(payload[4...]))
    }
}

/// One netlink attribute: type (without the nested and byte-order flags) and payload.
public struct NetlinkAttribute: Equatable, Sendable {
    public var type: UInt16
    public var payload: [UInt8]
    public var nested: Bool

    public init(type: UInt16, payload: [UInt8], nested: Bool = false) {
        self.type = type
        self.payload = payload
        self.nested = nested
    }

    public static func string(_ type: UInt16, _ value: String) -> NetlinkAttribute {
        NetlinkAttribute(type: type, payload: Array(value.utf8) + [0])
    }

    public static func nest(_ type: UInt16, _ children: [NetlinkAttribute]) -> NetlinkAttribute {
        NetlinkAttribute(type: type, payload: children.flatMap(\.bytes), nested: true)
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.appendLE(UInt16(4 + payload.count))
        out.appendLE(type | (nested ? 0x8000 : 0))
        out += payload
        while out.count % 4 != 0 { out.append(0) }
        return out
    }

    public static func parse(_ data: [UInt8]) throws -> [NetlinkAttribute] {
        var result: [NetlinkAttribute] = []
        var offset = 0
        while offset + 4 <= data.count {
            let length = Int(data.readLE(UInt16.self, at: offset))
            guard length >= 4, offset + length <= data.count else {
                throw NetlinkError("a netlink attribute of \(length) bytes at offset \(offset) does not fit the \(data.count) bytes around it")
            }
            let rawType = data.readLE(UInt16.self, at: offset + 2)
            result.append(NetlinkAttribute(type: rawType & 0x3FFF, payload: Array(data[(offset + 4)..<(offset + length)]),
                                           nested: rawType & 0x8000 != 0))
            offset += (length + 3) & ~3
        }
        return result
    }

    public func children() throws -> [NetlinkAttribute] { try Self.parse(payload) }

    public func u16() throws -> UInt16 { try fixed(2); return payload.readLE(UInt16.self, at: 0) }
    public func u32() throws -> UInt32 { try fixed(4); return payload.readLE(UInt32.self, at: 0) }
    public func u64() throws -> UInt64 { try fixed(8); return payload.readLE(UInt64.self, at: 0) }

    private func fixed(_ size: Int) throws {
        guard payload.count >= size else {
            throw NetlinkError("netlink attribute \(type) has \(payload.count) bytes, expected \(size)")
        }
    }
}

/// A netlink reply that is not what the kernel sends: damaged or of an unknown layout.
public struct NetlinkError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    func readLE<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        var value = T.zero
        for i in 0..<MemoryLayout<T>.size { value |= T(self[offset + i]) << (8 * i) }
        return value
    }
}
