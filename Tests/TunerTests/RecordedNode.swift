import Foundation
import Lab
import SystemKit

/// A lab node (or the host) made of recorded /proc/sys entries: answers the few commands the
/// tuner runs (stat, grep, cat, sysctl -w, ipvsadm) like the real tools do, and remembers
/// writes, so planning, apply and rollback can be tested on recorded kernels without root.
final class RecordedNode: LabNode, @unchecked Sendable {
    let name: String
    let role: NodeRole
    private let lock = NSLock()
    private var entries: [String: (mode: Int, value: String)]
    private var timeouts: String?
    /// Keys whose writes fail the way the kernel's EINVAL does.
    var rejects: Set<String> = []
    private(set) var writes: [String] = []

    /// `listing` holds `stat -c '%a %n'` lines followed by `grep -H ""` lines, as recorded.
    init(name: String, role: NodeRole, bootID: String, listing: String, timeouts: String? = nil) {
        self.name = name
        self.role = role
        self.timeouts = timeouts
        var modes: [String: Int] = [:]
        var values: [String: String] = [:]
        for line in listing.split(separator: "\n") {
            if let colon = line.firstIndex(of: ":"), line.hasPrefix("/proc") {
                values[String(line[..<colon])] = String(line[line.index(after: colon)...])
            } else {
                let parts = line.split(separator: " ", maxSplits: 1)
                if parts.count == 2, let mode = Int(parts[0], radix: 8) { modes[String(parts[1])] = mode }
            }
        }
        entries = [:]
        for (path, mode) in modes { entries[path] = (mode, values[path] ?? "") }
        entries["/proc/sys/kernel/random/boot_id"] = (0o444, bootID)
    }

    func value(_ key: String) -> String? {
        lock.withLock { entries[SysctlPath.of(key)]?.value }
    }

    func wrap(_ argv: [String]) -> [String] { argv }

    func readFile(_ path: String) throws -> String {
        guard let entry = lock.withLock({ entries[path] }) else {
            throw CommandFailed(argv: ["cat", path], result: ProcessResult(status: 1, stdout: "", stderr: "No such file or directory"))
        }
        return entry.value + "\n"
    }

    func run(_ argv: [String], timeout: Double?) throws -> ProcessResult {
        lock.lock()
        defer { lock.unlock() }
        switch argv.first {
        case "stat":
            let paths = argv.dropFirst(3)
            let found = paths.compactMap { p in entries[p].map { String($0.mode, radix: 8) + " " + p } }
            return ProcessResult(status: found.count == paths.count ? 0 : 1, stdout: lines(found), stderr: "")
        case "grep":
            let paths = argv.dropFirst(3)
            let found = paths.compactMap { p in entries[p].map { p + ":" + $0.value } }
            return ProcessResult(status: found.count == paths.count ? 0 : 2, stdout: lines(found), stderr: "")
        case "cat":
            guard let entry = entries[argv[1]] else { return ProcessResult(status: 1, stdout: "", stderr: "No such file") }
            return ProcessResult(status: 0, stdout: entry.value + "\n", stderr: "")
        case "sysctl":
            let assignment = argv.last!.split(separator: "=", maxSplits: 1).map(String.init)
            let path = SysctlPath.of(assignment[0])
            writes.append(argv.last!)
            guard let entry = entries[path], entry.mode & 0o200 != 0, !rejects.contains(assignment[0]) else {
                return ProcessResult(status: 255, stdout: "", stderr: "sysctl: setting key \"\(assignment[0])\": Invalid argument")
            }
            entries[path] = (entry.mode, assignment[1].replacingOccurrences(of: " ", with: "\t"))
            return ProcessResult(status: 0, stdout: "", stderr: "")
        case "ipvsadm":
            guard timeouts != nil else { return ProcessResult(status: 2, stdout: "", stderr: "Can't initialize ipvs") }
            if argv[1] == "--set" {
                writes.append(argv.joined(separator: " "))
                timeouts = argv.dropFirst(2).joined(separator: " ")
                return ProcessResult(status: 0, stdout: "", stderr: "")
            }
            return ProcessResult(status: 0, stdout: "Timeout (tcp tcpfin udp): \(timeouts!)\n", stderr: "")
        default:
            return ProcessResult(status: 127, stdout: "", stderr: "\(argv[0]): not recorded")
        }
    }

    var ipvsTimeouts: String? { lock.withLock { timeouts } }

    private func lines(_ items: [String]) -> String { items.map { $0 + "\n" }.joined() }
}

enum SysctlPath {
    static func of(_ key: String) -> String { "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/") }
}

/// Recorded on the development host (Linux 6.18.44), with `stat -c '%a %n'` and `grep -H ""`
/// over the keys below, once in the initial namespace and once in a new one (`ip netns add`).
enum Recorded {
    static let host618 = """
    644 /proc/sys/net/core/netdev_max_backlog
    644 /proc/sys/net/core/rmem_max
    644 /proc/sys/net/core/wmem_max
    644 /proc/sys/net/core/somaxconn
    644 /proc/sys/net/core/busy_read
    644 /proc/sys/net/core/busy_poll
    644 /proc/sys/net/ipv4/tcp_fin_timeout
    644 /proc/sys/net/ipv4/tcp_tw_reuse
    644 /proc/sys/net/ipv4/tcp_rmem
    644 /proc/sys/net/ipv4/ip_local_port_range
    444 /proc/sys/net/ipv4/tcp_available_ulp
    644 /proc/sys/net/ipv4/tcp_mem
    644 /proc/sys/vm/swappiness
    /proc/sys/net/core/netdev_max_backlog:1000
    /proc/sys/net/core/rmem_max:4194304
    /proc/sys/net/core/wmem_max:4194304
    /proc/sys/net/core/somaxconn:4096
    /proc/sys/net/core/busy_read:0
    /proc/sys/net/core/busy_poll:0
    /proc/sys/net/ipv4/tcp_fin_timeout:60
    /proc/sys/net/ipv4/tcp_tw_reuse:2
    /proc/sys/net/ipv4/tcp_rmem:4096\t131072\t33554432
    /proc/sys/net/ipv4/ip_local_port_range:32768\t60999
    /proc/sys/net/ipv4/tcp_available_ulp:mptcp
    /proc/sys/net/ipv4/tcp_mem:287901\t383869\t575802
    /proc/sys/vm/swappiness:60
    """

    static let childNamespace618 = """
    444 /proc/sys/net/core/rmem_max
    444 /proc/sys/net/core/wmem_max
    644 /proc/sys/net/core/somaxconn
    644 /proc/sys/net/ipv4/tcp_fin_timeout
    644 /proc/sys/net/ipv4/tcp_tw_reuse
    644 /proc/sys/net/ipv4/tcp_rmem
    644 /proc/sys/net/ipv4/ip_local_port_range
    644 /proc/sys/vm/swappiness
    /proc/sys/net/core/rmem_max:4194304
    /proc/sys/net/core/wmem_max:4194304
    /proc/sys/net/core/somaxconn:4096
    /proc/sys/net/ipv4/tcp_fin_timeout:60
    /proc/sys/net/ipv4/tcp_tw_reuse:2
    /proc/sys/net/ipv4/tcp_rmem:4096\t131072\t33554432
    /proc/sys/net/ipv4/ip_local_port_range:32768\t60999
    /proc/sys/vm/swappiness:60
    """

    /// Recorded in the user-mode Linux guest (6.1.176, ip_vs loaded), initial namespace.
    static let guest61 = """
    644 /proc/sys/net/core/netdev_max_backlog
    644 /proc/sys/net/core/rmem_max
    644 /proc/sys/net/core/wmem_max
    644 /proc/sys/net/core/somaxconn
    644 /proc/sys/net/core/busy_read
    644 /proc/sys/net/core/busy_poll
    644 /proc/sys/net/ipv4/tcp_fin_timeout
    644 /proc/sys/net/ipv4/tcp_tw_reuse
    644 /proc/sys/net/ipv4/tcp_rmem
    644 /proc/sys/net/ipv4/tcp_wmem
    644 /proc/sys/net/ipv4/ip_local_port_range
    644 /proc/sys/net/ipv4/tcp_max_syn_backlog
    644 /proc/sys/net/ipv4/tcp_keepalive_time
    644 /proc/sys/net/ipv4/tcp_fastopen
    644 /proc/sys/net/ipv4/vs/conn_reuse_mode
    644 /proc/sys/vm/swappiness
    /proc/sys/net/core/netdev_max_backlog:1000
    /proc/sys/net/core/rmem_max:212992
    /proc/sys/net/core/wmem_max:212992
    /proc/sys/net/core/somaxconn:4096
    /proc/sys/net/core/busy_read:0
    /proc/sys/net/core/busy_poll:0
    /proc/sys/net/ipv4/tcp_fin_timeout:60
    /proc/sys/net/ipv4/tcp_tw_reuse:2
    /proc/sys/net/ipv4/tcp_rmem:4096\t131072\t1825696
    /proc/sys/net/ipv4/tcp_wmem:4096\t16384\t1825696
    /proc/sys/net/ipv4/ip_local_port_range:32768\t60999
    /proc/sys/net/ipv4/tcp_max_syn_backlog:128
    /proc/sys/net/ipv4/tcp_keepalive_time:7200
    /proc/sys/net/ipv4/tcp_fastopen:1
    /proc/sys/net/ipv4/vs/conn_reuse_mode:1
    /proc/sys/vm/swappiness:60
    """

    /// The same guest, inside a namespace made with `ip netns add`: rmem_max and wmem_max are absent (global on 6.1).
    static let guestChild61 = """
    644 /proc/sys/net/core/somaxconn
    644 /proc/sys/net/ipv4/tcp_fin_timeout
    644 /proc/sys/net/ipv4/tcp_tw_reuse
    644 /proc/sys/net/ipv4/tcp_rmem
    644 /proc/sys/net/ipv4/tcp_wmem
    644 /proc/sys/net/ipv4/ip_local_port_range
    644 /proc/sys/net/ipv4/tcp_max_syn_backlog
    644 /proc/sys/net/ipv4/tcp_keepalive_time
    644 /proc/sys/net/ipv4/tcp_fastopen
    644 /proc/sys/net/ipv4/vs/conn_reuse_mode
    644 /proc/sys/vm/swappiness
    /proc/sys/net/core/somaxconn:4096
    /proc/sys/net/ipv4/tcp_fin_timeout:60
    /proc/sys/net/ipv4/tcp_tw_reuse:2
    /proc/sys/net/ipv4/tcp_rmem:4096\t131072\t1825696
    /proc/sys/net/ipv4/tcp_wmem:4096\t16384\t1825696
    /proc/sys/net/ipv4/ip_local_port_range:32768\t60999
    /proc/sys/net/ipv4/tcp_max_syn_backlog:128
    /proc/sys/net/ipv4/tcp_keepalive_time:7200
    /proc/sys/net/ipv4/tcp_fastopen:1
    /proc/sys/net/ipv4/vs/conn_reuse_mode:1
    /proc/sys/vm/swappiness:60
    """
}
