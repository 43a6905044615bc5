import ArgumentParser
import SystemKit

/// The classic LVS topologies a lab can build and a run or sweep can measure: one
/// forwarding method for every real, or `mixed` (the three methods in one service).
public enum LabMode: String, Codable, CaseIterable, Sendable, ExpressibleByArgument {
    /// Director between two nets; reals route replies back through it (`ipvsadm -m`).
    case nat
    /// One LAN; the director rewrites MACs and reals answer through the router (`-g`).
    case dr
    /// Like dr, but the director encapsulates IPIP and each real decapsulates (`-i`).
    case tun
    /// One virtual service whose reals are NAT, DR and TUN at once, round-robin.
    case mixed

    /// Parses a mode name (any case, surrounding blanks ignored), or fails with the list.
    public init(parsing text: String) throws {
        guard let mode = LabMode(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            let names = LabMode.allCases.map(\.rawValue).joined(separator: ", ")
            throw InvalidInput("unknown mode '\(text)': use one of \(names)")
        }
        self = mode
    }

    public init?(argument: String) { try? self.init(parsing: argument) }

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
