import IPVSControl
import SystemKit

/// The classic LVS topologies the lab can build.
public enum LabMode: String, Codable, CaseIterable, Sendable {
    /// Director between two nets; reals route replies back through it (`ipvsadm -m`).
    case nat
    /// One LAN; the director rewrites MACs and reals answer through the router (`-g`).
    case dr
    /// Like dr, but the director encapsulates IPIP and each real decapsulates (`-i`).
    case tun
    /// One virtual service whose reals are NAT, DR and TUN at once, round-robin.
    case mixed

    public init(parsing text: String) throws {
        guard let mode = LabMode(rawValue: text.lowercased()) else {
            let names = LabMode.allCases.map(\.rawValue).joined(separator: ", ")
            throw InvalidInput("unknown mode '\(text)': use one of \(names)")
        }
        self = mode
    }

    /// How real number `index` (1-based) is forwarded in this mode.
    public func forwarding(ofReal index: Int) -> ForwardingMethod {
        switch self {
        case .nat: return .nat
        case .dr: return .dr
        case .tun: return .tun
        case .mixed: return [ForwardingMethod.nat, .dr, .tun][(index - 1) % 3]
        }
    }

    /// Whether the director sits between an outside and an inside net (nat, mixed) rather
    /// than one-armed on the reals' LAN (dr, tun).
    public var twoArmed: Bool { self == .nat || self == .mixed }
}

/// Where the director runs, as the user asks for it.
public enum DirectorChoice: String, Codable, CaseIterable, Sendable {
    /// Native when the host kernel has IPVS, else uml.
    case auto
    case native
    case uml

    public init(parsing text: String) throws {
        guard let choice = DirectorChoice(rawValue: text.lowercased()) else {
            throw InvalidInput("unknown director '\(text)': use auto, native or uml")
        }
        self = choice
    }
}

/// Where the director actually runs once `auto` is resolved.
public enum DirectorBackend: String, Codable, CaseIterable, Sendable {
    /// A network namespace of the host, served by the host kernel's IPVS.
    case native
    /// A user-mode Linux guest joined to the lab by tap devices; its own kernel has IPVS.
    case uml
}
