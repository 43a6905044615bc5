import Foundation

/// The human-readable form of a resolved profile, as `tune show` prints it.
public enum ProfileText {
    public static func render(_ profile: Profile) -> String {
        var lines = ["profile \(profile.name)  (\(profile.source))"]
        if profile.chain.count > 1 { lines.append("inherits \(profile.chain.dropFirst().joined(separator: " -> "))") }
        if !profile.description.isEmpty { lines.append(profile.description) }
        if profile.isEmpty { lines.append("(changes nothing)") }
        for role in ProfileRole.allCases {
            let tuning = profile.tuning(for: role)
            guard !tuning.isEmpty else { continue }
            lines.append("\(role.rawValue):")
            for setting in tuning.sysctl { lines.append("  \(setting.key) = \(setting.value)") }
            if let timeouts = tuning.ipvsTimeouts { lines.append("  ipvsadm --set \(timeouts)  (tcp tcpfin udp; - keeps the current value)") }
            for setting in tuning.ipvsSysctl { lines.append("  \(setting.key) = \(setting.value)") }
        }
        return lines.joined(separator: "\n")
    }
}
