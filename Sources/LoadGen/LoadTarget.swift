import Foundation
import SystemKit

/// What `lvsbench load` sends requests to. Only literal IPv4 addresses (and `localhost`)
/// are accepted: the generator talks to lab or loopback addresses, never resolves names.
public enum LoadTarget: Equatable, Sendable, CustomStringConvertible {
    /// HTTP/1.1 `GET path` to host:port; `authority` is the Host header as typed.
    case http(address: String, port: UInt16, path: String, authority: String)
    /// The lab responder's protocol: 8-byte header (request length, response length), filler.
    case tcp(address: String, port: UInt16)

    /// Parses `http://HOST[:PORT][/PATH]` or `tcp://HOST:PORT`.
    public static func parse(_ text: String) throws -> LoadTarget {
        let bad = { (why: String) in
            InvalidInput("target '\(text)' \(why): use http://127.0.0.1:8080/ or tcp://198.18.0.10:9000")
        }
        let isTCP: Bool
        let rest: Substring
        if text.hasPrefix("http://") {
            isTCP = false
            rest = text.dropFirst(7)
        } else if text.hasPrefix("tcp://") {
            isTCP = true
            rest = text.dropFirst(6)
        } else {
            throw bad("is not an http:// or tcp:// URL (https is not supported)")
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let host = parts.first, !host.isEmpty else {
            throw bad("has no host")
        }
        var port: UInt16 = isTCP ? 0 : 80
        if parts.count == 2 {
            guard let p = UInt16(parts[1]), p > 0 else { throw bad("has an invalid port") }
            port = p
        } else if isTCP {
            throw bad("needs a port")
        }
        let address = host == "localhost" ? "127.0.0.1" : String(host)
        var probe = in_addr()
        guard address.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || (48...57).contains($0) }),
              inet_pton(AF_INET, address, &probe) == 1 else {
            throw bad("needs a literal IPv4 address as host")
        }
        guard !path.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7f }) else { throw bad("has spaces or control characters in its path") }
        guard path.utf8.count <= 8192 else { throw bad("has a path longer than 8192 bytes") }
        if isTCP {
            guard path == "/" else { throw bad("must not have a path") }
            return .tcp(address: address, port: port)
        }
        return .http(address: address, port: port, path: path, authority: authority)
    }

    public var description: String {
        switch self {
        case let .http(_, _, path, authority): return "http://\(authority)\(path)"
        case let .tcp(address, port): return "tcp://\(address):\(port)"
        }
    }

    var isTCP: Bool { if case .tcp = self { return true } else { return false } }

    /// The socket address to connect to.
    var socketAddress: sockaddr_in {
        let (address, port): (String, UInt16) = {
            switch self {
            case let .http(a, p, _, _): return (a, p)
            case let .tcp(a, p): return (a, p)
            }
        }()
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        _ = inet_pton(AF_INET, address, &sa.sin_addr)
        return sa
    }
}
