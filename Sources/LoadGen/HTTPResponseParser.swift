#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental HTTP/1.1 response parser over raw bytes: status line, `Content-Length`,
/// `Transfer-Encoding: chunked`, `Connection: close` and `X-Real-Server`. It never copies
/// body bytes; the caller keeps only an incomplete line (returned as unconsumed) for the
/// next call, so the per-connection buffer is the only memory it needs. Public for the
/// micro-benchmarks in Benchmarks/.
public struct HTTPResponseParser {
    enum State: UInt8 { case statusLine, headers, body, chunkSize, chunkData, chunkDataEnd, trailers, untilClose, done }

    /// The largest body or chunk accepted (1 TiB): a longer one is not a lab server's answer,
    /// and the bound keeps the length arithmetic far from overflow.
    static let maxLength = 1 << 40

    var state: State = .statusLine
    public private(set) var status: Int = 0
    /// Body or current chunk bytes still to come.
    var remaining: Int = 0
    var chunked = false
    var contentLength = -1
    public private(set) var connectionClose = false
    /// Where the X-Real-Server value was found and whether it was counted.
    var countedServer = false

    public init() {}

    public mutating func reset() { self = HTTPResponseParser() }

    public var isComplete: Bool { state == .done }

    /// Parses `count` bytes at `base`; returns how many were consumed. Unconsumed bytes are
    /// an incomplete line: pass them again, followed by more data. Throws on malformed input.
    public mutating func parse(_ base: UnsafePointer<UInt8>, _ count: Int, servers: inout ServerNameTable) throws -> Int {
        var pos = 0
        while pos < count {
            switch state {
            case .body, .chunkData:
                let take = min(remaining, count - pos)
                pos += take
                remaining -= take
                if remaining == 0 { state = state == .body ? .done : .chunkDataEnd }
            case .untilClose:
                return count
            case .done:
                return pos
            case .statusLine, .headers, .chunkSize, .chunkDataEnd, .trailers:
                guard let nl = memchr(base + pos, Int32(UInt8(ascii: "\n")), count - pos) else { return pos }
                let end = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base
                var lineEnd = end
                if lineEnd > pos, base[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                try line(base + pos, lineEnd - pos, servers: &servers)
                pos = end + 1
            }
            if state == .done { return pos }
        }
        return pos
    }

    /// The peer closed the connection: completes a response delimited by the close.
    public mutating func endOfStream() -> Bool {
        if state == .untilClose { state = .done }
        return state == .done
    }

    private mutating func line(_ p: UnsafePointer<UInt8>, _ n: Int, servers: inout ServerNameTable) throws {
        switch state {
        case .statusLine:
            // "HTTP/1.1 200 OK"
            guard n >= 12, p[0] == UInt8(ascii: "H"), p[8] == UInt8(ascii: " ") else { throw ParseError() }
            var code = 0
            for i in 9..<12 {
                let d = Int(p[i]) - 48
                guard d >= 0, d <= 9 else { throw ParseError() }
                code = code * 10 + d
            }
            status = code
            state = .headers
        case .headers:
            if n == 0 { endOfHeaders(); return }
            try header(p, n, servers: &servers)
        case .chunkSize:
            var size = 0
            var i = 0
            while i < n, let d = hexValue(p[i]) { size = size * 16 + d; i += 1; guard size <= Self.maxLength else { throw ParseError() } }
            guard i > 0 else { throw ParseError() }
            if size == 0 { state = .trailers } else { remaining = size; state = .chunkData }
        case .chunkDataEnd:
            guard n == 0 else { throw ParseError() }
            state = .chunkSize
        case .trailers:
            if n == 0 { state = .done }
        default:
            break
        }
    }

    private mutating func endOfHeaders() {
        if status < 200 { state = .statusLine; return } // 100 Continue and friends: a response follows
        if status == 204 || status == 304 { state = .done; return }
        if chunked { state = .chunkSize; return }
        if contentLength >= 0 {
            remaining = contentLength
            state = remaining == 0 ? .done : .body
            return
        }
        state = .untilClose
    }

    private mutating func header(_ p: UnsafePointer<UInt8>, _ n: Int, servers: inout ServerNameTable) throws {
        guard let colon = memchr(p, Int32(UInt8(ascii: ":")), n) else { return }
        let nameLength = UnsafePointer<UInt8>(colon.assumingMemoryBound(to: UInt8.self)) - p
        var v = nameLength + 1
        while v < n, p[v] == UInt8(ascii: " ") || p[v] == UInt8(ascii: "\t") { v += 1 }
        var e = n
        while e > v, p[e - 1] == UInt8(ascii: " ") || p[e - 1] == UInt8(ascii: "\t") { e -= 1 }
        switch nameLength {
        case 14 where Self.equalsLowercase(p, "content-length"):
            // Digits only (no sign, no list), and below `maxLength`, so that an absurd or
            // hostile length is a malformed response rather than an overflow.
            guard e > v else { throw ParseError() }
            var length = 0
            for i in v..<e {
                let d = Int(p[i]) - 48
                guard d >= 0, d <= 9 else { throw ParseError() }
                length = length * 10 + d
                guard length <= Self.maxLength else { throw ParseError() }
            }
            contentLength = length
        case 17 where Self.equalsLowercase(p, "transfer-encoding"):
            chunked = e - v >= 7 && Self.equalsLowercase(p + e - 7, "chunked")
        case 10 where Self.equalsLowercase(p, "connection"):
            connectionClose = e - v == 5 && Self.equalsLowercase(p + v, "close")
        case 13 where Self.equalsLowercase(p, "x-real-server"):
            if !countedServer, e > v {
                countedServer = true
                servers.count(p + v, e - v)
            }
        default:
            break
        }
    }

    /// Case-insensitive comparison with a lowercase ASCII literal (header names, tokens).
    @inline(__always)
    static func equalsLowercase(_ p: UnsafePointer<UInt8>, _ literal: StaticString) -> Bool {
        let l = literal.utf8Start
        for i in 0..<literal.utf8CodeUnitCount {
            var c = p[i]
            if c >= 65, c <= 90 { c |= 0x20 }
            if c != l[i] { return false }
        }
        return true
    }

    @inline(__always)
    private func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: return Int(c) - 48
        case 97...102: return Int(c) - 87
        case 65...70: return Int(c) - 55
        default: return nil
        }
    }

    /// The bytes are not an HTTP/1.x response.
    public struct ParseError: Error {}
}
