import Foundation

/// A program lvsbench needs is not installed; says which Debian package brings it.
public struct MissingTool: UserFacingError, Equatable {
    public let tool: String
    public let package: String?
    public init(tool: String, package: String?) {
        self.tool = tool
        self.package = package
    }
    public var description: String {
        if let package { return "\(tool) not found: install it with `apt-get install \(package)` (or run scripts/setup.sh)" }
        return "\(tool) not found in PATH"
    }
    public var exitStatus: ExitStatus { .usage }
}

/// Finds external programs. Debian keeps ip, ipvsadm, tc and sysctl in /usr/sbin, which a
/// non-login root shell may not have in PATH, so those directories are always searched too.
/// Relative PATH entries ("", ".") are skipped: they name whatever directory lvsbench was
/// started in (often /tmp), and root must not run an `ip` someone left there.
public enum ToolLocator {
    /// The Debian package that provides each tool lvsbench calls, for error messages.
    public static let packages: [String: String] = [
        "ip": "iproute2", "tc": "iproute2", "ipvsadm": "ipvsadm", "nginx": "nginx-light",
        "linux.uml": "user-mode-linux", "wrk": "wrk", "curl": "curl", "sysctl": "procps",
        "clang": "clang", "tcpdump": "tcpdump", "keepalived": "keepalived", "chromium": "chromium", "conntrack": "conntrack",
        "ethtool": "ethtool", "nft": "nftables", "iptables-legacy-restore": "iptables",
    ]

    static var searchPath: [String] {
        let env = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        var dirs = env.split(separator: ":", omittingEmptySubsequences: false).map(String.init).filter { $0.hasPrefix("/") }
        for extra in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        where !dirs.contains(extra) { dirs.append(extra) }
        return dirs
    }

    /// The absolute path of `name`, or nil when it is not installed.
    public static func find(_ name: String) -> String? {
        if name.contains("/") {
            return FileManager.default.isExecutableFile(atPath: name) ? name : nil
        }
        for dir in searchPath {
            let candidate = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The absolute path of `name`, or `MissingTool` naming the package to install.
    public static func require(_ name: String) throws -> String {
        guard let path = find(name) else {
            throw MissingTool(tool: name, package: packages[name])
        }
        return path
    }

    static func url(for name: String) throws -> URL {
        URL(fileURLWithPath: try require(name))
    }
}
