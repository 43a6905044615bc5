import Foundation
import SystemKit
#if canImport(Glibc)
import Glibc
#endif

/// The per-lab secret every request to a UML director's agent must carry: 32 bytes from the
/// kernel's CSPRNG, written once at `lab up` into the lab's 0700 directory as a 0600 file that
/// only root can read. The agent runs anything as root in a guest whose root file system is
/// the host's, so whoever can talk to it owns the host; the secret makes that only the
/// lvsbench processes that can read the lab's directory. On the wire a request starts with
/// the secret as one line of 64 lowercase hex digits.
public struct AgentSecret: Equatable, Sendable {
    public static let length = 32
    public static let fileName = "agent.secret"

    public let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Where lab `labDirectory` keeps its secret on the host.
    public static func path(labDirectory: String) -> String { labDirectory + "/" + fileName }

    /// 32 fresh bytes from getrandom(2), the kernel's CSPRNG.
    public static func generate() throws -> AgentSecret {
        var bytes = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let n = bytes.withUnsafeMutableBytes { c_getrandom($0.baseAddress! + filled, length - filled, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw RuntimeFailure("getrandom(): \(String(cString: strerror(errno)))") }
            filled += n
        }
        return AgentSecret(bytes: bytes)
    }

    /// Writes the secret to a new file at `path`, mode 0600. Exclusive create: an existing
    /// file or a symbolic link at `path` is an error, never overwritten or followed.
    public func write(to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RuntimeFailure("cannot create \(path): \(String(cString: strerror(errno)))") }
        var ok = fchmod(fd, 0o600) == 0
        var done = 0
        while ok && done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 && errno == EINTR { continue }
            ok = n > 0
            if ok { done += n }
        }
        ok = ok && fsync(fd) == 0
        let reason = String(cString: strerror(errno))
        close(fd)
        guard ok else {
            unlink(path)
            throw RuntimeFailure("cannot write \(path): \(reason)")
        }
    }

    /// Reads the secret from `path`, which must hold exactly 32 bytes (a link is not followed).
    public static func read(from path: String) throws -> AgentSecret {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw RuntimeFailure("cannot read the lab's agent secret \(path): \(String(cString: strerror(errno))); "
                + "recreate the lab with `lvsbench lab down` and `lvsbench lab up`")
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: length + 1)
        var got = 0
        while got < buffer.count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        guard got == length else {
            throw RuntimeFailure("the lab's agent secret \(path) holds \(got > length ? "more than \(length)" : "\(got)") bytes, "
                + "not \(length): recreate the lab with `lvsbench lab down` and `lvsbench lab up`")
        }
        return AgentSecret(bytes: Array(buffer.prefix(length)))
    }

    /// The first line of every request: the secret as 64 lowercase hex digits (no newline).
    public var line: [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }
    }

    /// Whether a request's first line is this secret. Compared in constant time: the time
    /// taken does not depend on where a wrong line first differs, so it tells an attacker
    /// nothing about the secret. Only the length (public: always 64) decides early.
    public func accepts(_ given: [UInt8]) -> Bool {
        let expected = line
        guard given.count == expected.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<expected.count { difference |= given[i] ^ expected[i] }
        return difference == 0
    }
}

/// getrandom(2): Glibc's module map does not export it.
@_silgen_name("getrandom")
private func c_getrandom(_ buffer: UnsafeMutableRawPointer?, _ count: Int, _ flags: UInt32) -> Int
