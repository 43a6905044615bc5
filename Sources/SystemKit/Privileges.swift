#if canImport(Glibc)
import Glibc
#endif

/// The lab needs root for network namespaces and IPVS; everything else does not.
public struct NotRoot: UserFacingError, Equatable {
    public let action: String
    public init(action: String) { self.action = action }
    public var description: String {
        "\(action) needs root (network namespaces and IPVS): run it as root, e.g. with sudo"
    }
    public var exitStatus: ExitStatus { .usage }
}

public enum Privileges {
    public static var isRoot: Bool { geteuid() == 0 }

    /// Throws `NotRoot` naming `action` unless this process runs as root.
    public static func requireRoot(for action: String) throws {
        guard isRoot else { throw NotRoot(action: action) }
    }
}
