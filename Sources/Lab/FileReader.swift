import Foundation

/// Reads whole files with plain open/read, in this process: what the guest agent does for a
/// read request, so that sampling /proc inside the one-CPU UML director starts no process.
/// Reads until end of file rather than trusting the size: /proc files report size 0.
public enum FileReader {
    /// One file's outcome: its text, or the errno and message of the failed open or read.
    public struct Outcome: Codable, Equatable, Sendable {
        public var content: String?
        public var errno: Int32?
        public var error: String?

        public init(content: String) { self.content = content }
        public init(errno: Int32, error: String) {
            self.errno = errno
            self.error = error
        }

        /// The file does not exist (a sysctl or /proc file the kernel lacks, e.g. conntrack).
        public var isMissing: Bool { errno == ENOENT }
    }

    public static func read(_ path: String) -> Outcome {
        var bytes: [UInt8] = []
        if let code = readChunks(path, { bytes.append(contentsOf: $0) }) { return failure(path, code) }
        return Outcome(content: String(decoding: bytes, as: UTF8.self))
    }

    /// Hands `path`'s bytes to `body` chunk by chunk (64 KiB), so a large /proc file can be
    /// digested without holding all of it; the errno of a failed open or read, else nil.
    public static func readChunks(_ path: String, _ body: (ArraySlice<UInt8>) -> Void) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return nil }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            body(chunk[0..<n])
        }
    }

    static func failure(_ path: String, _ code: Int32) -> Outcome {
        Outcome(errno: code, error: "\(path): \(String(cString: strerror(code)))")
    }
}
