import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress for long runs on stderr, only when stderr is a terminal: logs and pipes stay
/// clean, a person watching sees which cell is running and how fast it goes.
public struct ProgressLine: Sendable {
    public let enabled: Bool

    public init(enabled: Bool = isatty(2) != 0) { self.enabled = enabled }

    public func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    /// Ends the current line so the next message starts clean.
    public func finish(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)\n".utf8))
    }
}
