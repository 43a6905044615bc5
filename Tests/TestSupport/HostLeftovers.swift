import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What labs of one prefix and run directory left on the host, found from the kernel's own
/// lists (not from lvsbench's state, which is what is under test): named namespaces and
/// their mounts, links in the host's namespace that were not there before, processes that
/// belong to the run directory, lab directories. Foundation only, so any test target can
/// use it.
public struct HostLeftovers {
    public let prefix: String
    public let runDirectory: String
    /// Links of the host's namespace when the check was set up: anything new is a leak.
    public let hostLinksBefore: Set<String>

    public init(prefix: String, runDirectory: String) {
        self.prefix = prefix
        self.runDirectory = runDirectory
        hostLinksBefore = Self.hostLinks()
    }

    /// One line per thing left; empty when the host is clean.
    public func find() -> [String] {
        var found: [String] = []
        let named = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        found += named.filter { $0.hasPrefix(prefix + "-") }.sorted().map { "namespace \($0)" }
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        found += mounts.split(separator: "\n").filter { $0.contains("/run/netns/\(prefix)-") }.map { "mount \($0)" }
        // Links are made inside lab namespaces; one in the host's namespace escaped.
        found += Self.hostLinks().subtracting(hostLinksBefore).sorted().map { "host link \($0)" }
        found += processes()
        let labs = (try? FileManager.default.contentsOfDirectory(atPath: runDirectory + "/labs")) ?? []
        found += labs.sorted().map { "lab directory \($0)" }
        return found
    }

    /// Live (not zombie) processes that are the labs': their command line names the run
    /// directory (nginx masters, responders, the UML director and its helpers, whose init
    /// sits there), or they hold a file there (nginx workers keep the lab's log open, and
    /// their title does not name it), or they inherited `LVSBENCH_RUN_DIR` from lvsbench (a
    /// load generator it started).
    public func processes() -> [String] {
        let me = getpid()
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        var found: [String] = []
        for pid in pids where pid != me && Self.isAlive(pid) {
            let cmd = Self.commandLine(of: pid) ?? ""
            if cmd.contains(runDirectory + "/") || holdsFile(pid) || inheritsRunDirectory(pid) {
                guard Self.isAlive(pid) else { continue }
                found.append("process \(pid) \(cmd.isEmpty ? "(no command line)" : cmd)")
            }
        }
        return found
    }

    private func holdsFile(_ pid: Int32) -> Bool {
        let dir = "/proc/\(pid)/fd"
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        let links = fds.map { dir + "/" + $0 } + ["/proc/\(pid)/cwd"]
        return links.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: $0))?.hasPrefix(runDirectory + "/") ?? false }
    }

    private func inheritsRunDirectory(_ pid: Int32) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
        return data.split(separator: 0).contains { Array($0) == Array("LVSBENCH_RUN_DIR=\(runDirectory)".utf8) }
    }

    /// Names of the links in this process's (the host's) network namespace.
    public static func hostLinks() -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? [])
    }

    public static func commandLine(of pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// Exists and is neither a zombie nor dead (an exited UML guest stays a zombie until
    /// init reaps it).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}

/// Every readable sysctl under /proc/sys/net of the host's namespace, as `key = value`, so
/// two snapshots compare byte for byte.
public struct HostSysctls: Equatable {
    /// Keys that change by themselves, left out of the comparison. Each needs a reason.
    public static let excluded: [String: String] = [
        // The number of live conntrack entries of the host's namespace: any traffic changes it.
        "net.netfilter.nf_conntrack_count": "counts live connections",
        // Write-only triggers (mode 0200): reading fails, there is no value to compare.
        "net.ipv4.route.flush": "write-only",
        "net.ipv6.route.flush": "write-only",
    ]

    public let values: [String: String]

    public init(values: [String: String]) { self.values = values }

    public static func snapshot() -> HostSysctls {
        var values: [String: String] = [:]
        let root = "/proc/sys/net"
        guard let walker = FileManager.default.enumerator(atPath: root) else { return HostSysctls(values: [:]) }
        for case let path as String in walker {
            let key = "net." + path.replacingOccurrences(of: "/", with: ".")
            guard excluded[key] == nil else { continue }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: root + "/" + path) else { continue }
            values[key] = String(decoding: data, as: UTF8.self)
        }
        return HostSysctls(values: values)
    }

    /// One line per key that differs, appeared or disappeared.
    public func differences(to other: HostSysctls) -> [String] {
        Set(values.keys).union(other.values.keys).sorted().compactMap { key in
            let a = values[key], b = other.values[key]
            guard a != b else { return nil }
            func show(_ v: String?) -> String { v.map { "'\($0.trimmingCharacters(in: .newlines))'" } ?? "(absent)" }
            return "\(key): \(show(a)) -> \(show(b))"
        }
    }
}
