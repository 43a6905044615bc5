import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that a reader (or a crash) never sees half of one: the data goes to a
/// temporary file beside the target, is flushed, and is renamed over it. The temporary file
/// gets an unpredictable name and is created exclusively (mkstemp: O_CREAT|O_EXCL, which
/// never follows a symbolic link), so nothing planted at a guessable name beside the target
/// can redirect a write made as root.
public enum AtomicFile {
    /// Writes `data` to `path` with permissions `mode` (exactly, whatever the umask).
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var template = Array((directory + "/.\(url.lastPathComponent).tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw RuntimeFailure("cannot write \(path) (\(String(cString: strerror(errno)))): check that its directory is writable")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let tmp = String(cString: template)
        let written = data.withUnsafeBytes { writeAll(fd, $0) } && fchmod(fd, mode) == 0 && fsync(fd) == 0
        let reason = String(cString: strerror(errno))
        close(fd)
        guard written else {
            unlink(tmp)
            throw RuntimeFailure("cannot write \(path): \(reason)")
        }
        if rename(tmp, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw RuntimeFailure("cannot write \(path): \(reason)")
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    public static func write(_ string: String, to path: String, mode: mode_t = 0o644) throws {
        try write(Data(string.utf8), to: path, mode: mode)
    }

    /// Encodes `value` as pretty, key-sorted JSON (stable diffs) and writes it atomically.
    public static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        try write(try JSONCoding.encode(value), to: path)
    }
}

/// One JSON style for everything lvsbench writes: snake_case is spelled out in CodingKeys
/// where a schema asks for it; output is pretty and key-sorted so results diff well.
public enum JSONCoding {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: data)
    }
}
