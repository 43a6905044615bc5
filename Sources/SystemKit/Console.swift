import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes to stdout and stderr that never kill the process. `FileHandle.write` traps on
/// EPIPE and EIO, and those are exactly what a write returns once the terminal hung up (a
/// dropped ssh session) or the reader of a pipe died: a progress line must not crash a run
/// in the middle of tearing its lab down. A failed write is dropped.
public enum Console {
    /// Writes `text` to stderr.
    public static func error(_ text: String) { write(Data(text.utf8), to: 2) }

    /// Writes `data` to stdout.
    public static func output(_ data: Data) { write(data, to: 1) }

    /// Writes `text` to stdout.
    public static func output(_ text: String) { write(Data(text.utf8), to: 1) }

    static func write(_ data: Data, to fd: Int32) {
        data.withUnsafeBytes { raw in
            guard var base = raw.baseAddress else { return }
            var remaining = raw.count
            while remaining > 0 {
                let n = Glibc.write(fd, base, remaining)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                base += n
                remaining -= n
            }
        }
    }
}
