import Foundation
import SystemKit
#if canImport(Glibc)
import Glibc
#endif

/// A namespace node's files opened once, from a short-lived thread that entered the node's
/// network namespace, and reread with pread for every sample: what `NamespaceNode.readFiles`
/// does with one `sh` and `grep` process per call, without the process.
///
/// Why: the collector reads every namespace node at each tick, and at 10 Hz those processes
/// (four nodes or more, each an `ip netns exec` with a shell and grep) cost about a fifth of
/// the host's throughput through a NAT director on a 2-core machine. A descriptor keeps the
/// namespace it was opened in: /proc/thread-self/net is the opening thread's namespace, and
/// /proc/sys/net is resolved in it as well, so later reads from any thread see the node's
/// own counters. Paths below /proc/net/ are opened through /proc/thread-self/net/; other
/// paths (/proc/stat, which is not per namespace) as they are. A file that does not exist
/// when the session opens (no conntrack module) stays absent, as in `readFiles`.
public final class NamespaceFiles: @unchecked Sendable {
    public let namespace: String
    private let lock = NSLock()
    private let kept = KeptFiles(keptBelow: [])
    /// The paths that existed and were opened.
    private var opened: Set<String> = []

    /// Opens `paths` inside `namespace` (an `ip netns` name). Throws when the namespace
    /// cannot be entered; a path that cannot be opened is left out.
    public init(namespace: String, paths: [String]) throws {
        self.namespace = namespace
        let fds = try NamespaceThread.run(in: namespace) {
            var fds: [String: Int32] = [:]
            for path in paths {
                let fd = open(Self.threadPath(path), O_RDONLY | O_CLOEXEC)
                if fd >= 0 { fds[path] = fd }
            }
            return fds
        }
        for (path, fd) in fds { kept.adopt(fd, as: path) }
        opened = Set(fds.keys)
    }

    deinit { kept.close() }

    /// Closes the files; later reads find none.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        kept.close()
        opened = []
    }

    /// The path a thread opens to reach its own namespace's view of `path`.
    static func threadPath(_ path: String) -> String {
        path.hasPrefix("/proc/net/") ? "/proc/thread-self/net/" + path.dropFirst("/proc/net/".count) : path
    }

    /// The texts of `wanted`, keyed by path; a path that was not opened is absent. Throws
    /// when a kept file can no longer be read.
    public func read(_ wanted: [String]) throws -> [String: String] {
        lock.lock()
        defer { lock.unlock() }
        var result: [String: String] = [:]
        for path in wanted {
            guard opened.contains(path) else { continue }
            guard let content = kept.reread(path)?.content else {
                opened.remove(path)
                throw RuntimeFailure("\(namespace): cannot read \(path) again (\(String(cString: strerror(errno))))")
            }
            result[path] = content
        }
        return result
    }
}
