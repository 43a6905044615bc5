import Balancing
import Foundation
import Lab

/// The four kinds of node a profile can tune; `reals` applies to every real server.
public enum ProfileRole: String, Codable, CodingKeyRepresentable, CaseIterable, Sendable {
    case director, reals, client, router

    /// The lab role whose nodes this section tunes.
    public var nodeRole: NodeRole {
        switch self {
        case .director: return .director
        case .reals: return .real
        case .client: return .client
        case .router: return .router
        }
    }
}

/// One `key: value` line of a profile. Values are kept as text with whitespace collapsed
/// ("4096 87380 16777216"), the form `sysctl -w` takes and /proc/sys gives back.
public struct SysctlSetting: Codable, Equatable, Sendable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = SysctlSetting.normalize(value)
    }

    /// /proc/sys separates the fields of a vector with tabs; profiles with spaces.
    public static func normalize(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ")
    }
}

/// A profile's IPVS connection timeouts in seconds (`director.ipvs.timeouts`): a field left
/// out keeps the director's current value, which `filled(from:)` supplies.
public struct TimeoutsOverride: Codable, Equatable, Sendable, CustomStringConvertible {
    public var tcp: Int?
    public var tcpfin: Int?
    public var udp: Int?
    public init(tcp: Int? = nil, tcpfin: Int? = nil, udp: Int? = nil) {
        self.tcp = tcp
        self.tcpfin = tcpfin
        self.udp = udp
    }

    /// Fields of `child` win; the rest come from `self`.
    func overridden(by child: TimeoutsOverride) -> TimeoutsOverride {
        TimeoutsOverride(tcp: child.tcp ?? tcp, tcpfin: child.tcpfin ?? tcpfin, udp: child.udp ?? udp)
    }

    /// Unset fields taken from `current`.
    func filled(from current: ConnectionTimeouts) -> ConnectionTimeouts {
        ConnectionTimeouts(tcp: tcp ?? current.tcp, tcpFin: tcpfin ?? current.tcpFin, udp: udp ?? current.udp)
    }

    public var description: String {
        [tcp, tcpfin, udp].map { $0.map(String.init) ?? "-" }.joined(separator: " ")
    }
}

/// What a profile sets on the nodes of one role.
public struct RoleTuning: Codable, Equatable, Sendable {
    /// In file order: apply order, and the reverse is the restore order.
    public var sysctl: [SysctlSetting]
    /// Director only: `ipvsadm --set`.
    public var ipvsTimeouts: TimeoutsOverride?
    /// Director only: net.ipv4.vs.* keys, which exist once ip_vs is loaded.
    public var ipvsSysctl: [SysctlSetting]

    public init(sysctl: [SysctlSetting] = [], ipvsTimeouts: TimeoutsOverride? = nil, ipvsSysctl: [SysctlSetting] = []) {
        self.sysctl = sysctl
        self.ipvsTimeouts = ipvsTimeouts
        self.ipvsSysctl = ipvsSysctl
    }

    public var isEmpty: Bool { sysctl.isEmpty && ipvsTimeouts == nil && ipvsSysctl.isEmpty }

    /// Every sysctl this section sets, plain ones first, then the IPVS ones.
    public var allSysctls: [SysctlSetting] { sysctl + ipvsSysctl }

    func overridden(by child: RoleTuning) -> RoleTuning {
        let timeouts: TimeoutsOverride?
        if let mine = child.ipvsTimeouts {
            timeouts = ipvsTimeouts?.overridden(by: mine) ?? mine
        } else {
            timeouts = ipvsTimeouts
        }
        return RoleTuning(sysctl: Self.merge(sysctl, child.sysctl), ipvsTimeouts: timeouts,
                          ipvsSysctl: Self.merge(ipvsSysctl, child.ipvsSysctl))
    }

    /// Parent order is kept; a key the child sets again takes the child's value in place,
    /// keys new in the child follow in the child's order.
    static func merge(_ parent: [SysctlSetting], _ child: [SysctlSetting]) -> [SysctlSetting] {
        var result = parent
        for setting in child {
            if let i = result.firstIndex(where: { $0.key == setting.key }) {
                result[i] = setting
            } else {
                result.append(setting)
            }
        }
        return result
    }
}

/// A tuning profile as written in profiles/<name>.yaml, or resolved (after inheritance).
public struct Profile: Codable, Equatable, Sendable {
    public var name: String
    public var description: String
    /// The parent's name (or path) as written; nil for a root profile.
    public var inherits: String?
    /// The file it came from.
    public var source: String
    /// Names from this profile up to its root; set by resolution, `[name]` before.
    public var chain: [String]
    public var roles: [ProfileRole: RoleTuning]

    public init(name: String, description: String, inherits: String?, source: String,
                roles: [ProfileRole: RoleTuning]) {
        self.name = name
        self.description = description
        self.inherits = inherits
        self.source = source
        self.chain = [name]
        self.roles = roles
    }

    public func tuning(for role: ProfileRole) -> RoleTuning { roles[role] ?? RoleTuning() }

    /// True when the profile changes nothing (the `default` profile).
    public var isEmpty: Bool { roles.values.allSatisfy(\.isEmpty) }

    /// This profile's settings laid over `parent`'s.
    func resolved(over parent: Profile) -> Profile {
        var result = self
        for role in ProfileRole.allCases {
            let merged = parent.tuning(for: role).overridden(by: tuning(for: role))
            result.roles[role] = merged.isEmpty ? nil : merged
        }
        result.chain = [name] + parent.chain
        return result
    }
}
