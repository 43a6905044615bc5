import Foundation
import SystemKit
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP socket over IPv4, just enough for the responder and the guest agent.
/// Closed explicitly; the fd is owned by whoever holds the value.
public struct Socket: Sendable {
    public let fd: Int32

    /// "a.b.c.d:port" as a sockaddr, or `InvalidInput`.
    public static func address(_ text: String) throws -> sockaddr_in {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw InvalidInput("address '\(text)' is not host:port, e.g. 0.0.0.0:9000")
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, String(parts[0]), &addr.sin_addr) == 1 else {
            throw InvalidInput("address '\(text)' has no valid IPv4 host")
        }
        return addr
    }

    /// Listens on `text`; with `device`, only for connections that arrive on that interface
    /// (SO_BINDTODEVICE: the kernel matches no other interface's packets to the socket).
    public static func listen(_ text: String, backlog: Int32 = 4096, device: String? = nil) throws -> Socket {
        var addr = try address(text)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RuntimeFailure("socket(): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if let device {
            let name = Array(device.utf8CString)
            guard setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, socklen_t(name.count)) == 0 else {
                let reason = String(cString: strerror(errno))
                Glibc.close(fd)
                throw RuntimeFailure("cannot bind the listening socket for \(text) to interface \(device): \(reason)")
            }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, backlog) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw RuntimeFailure("cannot listen on \(text): \(reason)")
        }
        return Socket(fd: fd)
    }

    /// Connects to `text`; with `namespace`, the socket is created inside that network
    /// namespace (a socket stays in the namespace it was created in), on a short-lived
    /// thread so this process's other threads keep their namespace.
    public static func connect(_ text: String, namespace: String? = nil, timeout: Double = 5) throws -> Socket {
        let addr = try address(text)
        let work = { () throws -> Socket in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw RuntimeFailure("socket(): \(String(cString: strerror(errno)))") }
            var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var target = addr
            let rc = withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if rc != 0 {
                let reason = String(cString: strerror(errno))
                Glibc.close(fd)
                throw RuntimeFailure("cannot connect to \(text): \(reason)")
            }
            return Socket(fd: fd)
        }
        guard let namespace else { return try work() }
        return try NamespaceThread.run(in: namespace, work)
    }

    public func accept() -> Socket? {
        let c = Glibc.accept(fd, nil, nil)
        return c >= 0 ? Socket(fd: c) : nil
    }

    /// Sets the receive timeout in seconds (0: none).
    public func setReceiveTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads exactly `count` bytes into `buffer` from `offset`; false on EOF or error.
    public func readExactly(_ buffer: inout [UInt8], count: Int) -> Bool {
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, count - got) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            got += n
        }
        return true
    }

    /// Reads and discards `count` bytes, using `scratch` as buffer.
    public func skip(_ count: Int, scratch: inout [UInt8]) -> Bool {
        var left = count
        while left > 0 {
            let n = scratch.withUnsafeMutableBytes { read(fd, $0.baseAddress!, min(left, $0.count)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            left -= n
        }
        return true
    }

    public func writeAll(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Reads up to and excluding the next "\n"; nil on EOF before one.
    public func readLine(limit: Int = 256 << 20) -> [UInt8]? {
        var line: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while line.count < limit {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, Int32(MSG_PEEK)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            let window = chunk[0..<n]
            if let nl = window.firstIndex(of: 0x0A) {
                _ = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, nl + 1) }
                line += chunk[0..<nl]
                return line
            }
            _ = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, n) }
            line += window
        }
        return nil
    }

    public func close() { _ = Glibc.close(fd) }
}
