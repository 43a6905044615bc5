import ArgumentParser
import SystemKit

/// Every scheduler the Linux IPVS code offers (net/netfilter/ipvs/ip_vs_*.c).
public enum Scheduler: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    case rr, wrr, lc, wlc, sh, dh, sed, nq, lblc, lblcr, mh, fo, ovf

    /// Parses a scheduler name, or fails with the list of valid names.
    public init(parsing text: String) throws {
        guard let value = Scheduler(rawValue: text.lowercased()) else {
            let names = Scheduler.allCases.map(\.rawValue).joined(separator: ", ")
            throw InvalidInput("unknown scheduler '\(text)': use one of \(names)")
        }
        self = value
    }

    public init?(argument: String) { try? self.init(parsing: argument) }

    /// Whether real-server weights change the distribution. Others accept weights but treat
    /// any weight above zero alike (weight 0 still quiesces a real).
    public var usesWeights: Bool {
        switch self {
        case .wrr, .wlc, .sed, .nq, .lblc, .lblcr, .mh, .fo, .ovf: return true
        case .rr, .lc, .sh, .dh: return false
        }
    }
}
