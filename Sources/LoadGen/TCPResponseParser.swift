#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts the bytes of one response of the lab responder (exactly `responseSize` bytes) and
/// reads the real's name from its first line ("realK\n"). Until the name is known it
/// consumes nothing, so the caller keeps the first bytes together; names are short.
public struct TCPResponseParser {
    /// A name longer than this is not a name: the response is counted without one.
    static let maxNameLength = 64

    var remaining: Int
    var nameDone = false

    public init(responseSize: Int) { remaining = responseSize }

    public var isComplete: Bool { remaining == 0 }

    public mutating func parse(_ base: UnsafePointer<UInt8>, _ count: Int, servers: inout ServerNameTable) -> Int {
        if !nameDone {
            let window = min(count, remaining, Self.maxNameLength + 1)
            if let nl = memchr(base, Int32(UInt8(ascii: "\n")), window) {
                let n = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base
                if n > 0 { servers.count(base, n) }
                nameDone = true
            } else if window == count, count < remaining, count <= Self.maxNameLength {
                return 0 // keep the beginning until the newline arrives
            } else {
                nameDone = true
            }
        }
        let take = min(count, remaining)
        remaining -= take
        return take
    }
}
