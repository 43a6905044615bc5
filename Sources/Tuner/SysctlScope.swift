import Foundation

/// Where a sysctl of a lab node lives, which decides through whom it is written and whether
/// changing it touches the host.
public enum SysctlScope: String, Codable, Sendable {
    /// Belongs to the node's own network namespace (or to a user-mode Linux guest's kernel):
    /// written inside the node, affects only the lab.
    case node
    /// One value for the whole host kernel: written in the host's initial namespace, and
    /// refused unless the user allows global changes.
    case global
}

/// What a node's /proc/sys shows for one key.
public struct SysctlProbe: Equatable, Sendable {
    /// The current value, fields separated by single spaces.
    public var value: String
    /// The entry's permission bits (0o644, 0o444, ...).
    public var mode: Int
    public init(value: String, mode: Int) {
        self.value = value
        self.mode = mode
    }
    /// sysctl entries carry their table's mode; root may write only entries with the owner
    /// write bit (proc_sys_permission does not let root bypass it).
    public var isWritable: Bool { mode & 0o200 != 0 }
}

/// The rule that tells a per-network-namespace sysctl from a host-wide one, as data.
///
/// From the kernel: only /proc/sys/net is looked up per namespace (net/sysctl_net.c:
/// `net_ctl_header_lookup` returns the reading task's `net_ns->sysctls`); every other top
/// directory (kernel, vm, fs, ...) is one table for the whole kernel. Under net/, a table
/// registered once for `init_net` (e.g. net_core_table in net/core/sysctl_net_core.c:
/// netdev_max_backlog, busy_poll) is invisible from any other namespace; a table registered
/// from a pernet init hook appears in every namespace. Some per-namespace entries only mirror
/// a kernel-wide value and are read-only outside the initial namespace (Linux 6.18:
/// net.core.rmem_max, wmem_max, nf_conntrack_max show mode 0444 in a new namespace).
/// So, seen from inside a non-initial namespace:
/// key outside net → global; absent → global (if the host has it); present but read-only → global;
/// present and writable → node.
public enum SysctlScopeRule {
    /// The only /proc/sys directory the kernel keeps per network namespace.
    public static let perNamespaceRoot = "net"

    /// How a key resolves on one node.
    public enum Resolution: Equatable, Sendable {
        case scoped(SysctlScope)
        /// Neither the node nor the host kernel has the key.
        case missing
        /// The key exists but nobody can write it (e.g. net.ipv4.tcp_available_ulp).
        case readOnly
    }

    /// `inNode` is what the node's /proc/sys shows (nil: absent), `onHost` what the host's
    /// initial namespace shows. `ownKernel` is true for a user-mode Linux guest, whose every
    /// sysctl belongs to the guest.
    public static func resolve(key: String, inNode: SysctlProbe?, onHost: SysctlProbe?, ownKernel: Bool) -> Resolution {
        if ownKernel {
            guard let inNode else { return .missing }
            return inNode.isWritable ? .scoped(.node) : .readOnly
        }
        let root = key.split(separator: ".").first.map(String.init) ?? ""
        if root == perNamespaceRoot, let inNode, inNode.isWritable { return .scoped(.node) }
        guard let host = onHost ?? inNode else { return .missing }
        return host.isWritable ? .scoped(.global) : .readOnly
    }
}
