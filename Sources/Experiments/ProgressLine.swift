import Foundation
import SystemKit
#if canImport(Glibc)
import Glibc
#endif

/// Progress for long runs on stderr, only when stderr is a terminal: logs and pipes stay
/// clean, a person watching sees which cell is running and how fast it goes.
///
/// With `LVSBENCH_PHASE_MARKERS=1` it also prints one line `lvsbench-phase: <phase> <detail>`
/// to stderr as each phase starts (build steps, tuning, warm-up, window, direct, teardown),
/// terminal or not, so a script (the interrupt suite) can follow a run without guessing from
/// the clock. Every write goes through `Console`: a terminal that hung up must not kill a run.
public struct ProgressLine: Sendable {
    public let enabled: Bool
    public let markers: Bool
    /// Where the text goes: stderr, or a test that checks the lines and markers in order.
    let write: @Sendable (String) -> Void

    public init(enabled: Bool = isatty(2) != 0,
                markers: Bool = ProcessInfo.processInfo.environment["LVSBENCH_PHASE_MARKERS"] == "1") {
        self.init(enabled: enabled, markers: markers, write: { Console.error($0) })
    }

    init(enabled: Bool, markers: Bool, write: @escaping @Sendable (String) -> Void) {
        self.enabled = enabled
        self.markers = markers
        self.write = write
    }

    public func show(_ text: String) {
        guard enabled else { return }
        write("\r\u{1B}[K\(text)")
    }

    /// Ends the current line so the next message starts clean.
    public func finish(_ text: String) {
        guard enabled else { return }
        write("\r\u{1B}[K\(text)\n")
    }

    /// Marks the start of a phase (see the type's comment); nothing without markers on.
    public func phase(_ name: String, _ detail: String = "") {
        guard markers else { return }
        write("\(enabled ? "\r\u{1B}[K" : "")lvsbench-phase: \(name)\(detail.isEmpty ? "" : " " + detail)\n")
    }
}
