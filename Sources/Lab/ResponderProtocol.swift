import Foundation

/// The TCP responder's wire format, fixed because the load generator implements its client
/// side independently: each request starts with an 8-byte header, bytes 0-3 big-endian N =
/// total request length including the header (N >= 8), bytes 4-7 big-endian M = response
/// length; then N-8 filler bytes. The answer is exactly M bytes whose first min(M, len)
/// bytes are "realK\n" (so a client counts who answered), the rest filler. The connection
/// stays open for more requests until the client closes it.
public struct ResponderProtocol: Equatable, Sendable {
    public static let headerLength = 8
    /// Largest request or response the responder accepts (keeps a bad header from
    /// making it allocate gigabytes).
    public static let maximumLength: UInt32 = 64 << 20

    public var requestLength: UInt32
    public var responseLength: UInt32

    public init(requestLength: UInt32, responseLength: UInt32) {
        self.requestLength = requestLength
        self.responseLength = responseLength
    }

    public var header: [UInt8] {
        let n = requestLength, m = responseLength
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff),
                UInt8(m >> 24), UInt8(m >> 16 & 0xff), UInt8(m >> 8 & 0xff), UInt8(m & 0xff)]
    }

    /// Decodes a header, or nil when it is short or N < 8 or either length is above the limit.
    public init?(header bytes: some Collection<UInt8>) {
        let b = Array(bytes.prefix(Self.headerLength))
        guard b.count == Self.headerLength else { return nil }
        let n = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
        let m = UInt32(b[4]) << 24 | UInt32(b[5]) << 16 | UInt32(b[6]) << 8 | UInt32(b[7])
        guard n >= UInt32(Self.headerLength), n <= Self.maximumLength, m <= Self.maximumLength else { return nil }
        self.init(requestLength: n, responseLength: m)
    }

    /// The M bytes real `name` answers with.
    public static func response(name: String, length: Int) -> [UInt8] {
        var out = Array((name + "\n").utf8.prefix(length))
        if out.count < length { out += [UInt8](repeating: UInt8(ascii: "."), count: length - out.count) }
        return out
    }
}
