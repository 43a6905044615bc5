import ArgumentParser
import SystemKit

/// What the load generator does in a cell. HTTP kinds talk to the reals' nginx; TCP kinds
/// to the reals' request/response server on the lab's TCP port.
public enum LoadKind: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    /// HTTP/1.1 keep-alive: measures the director's per-packet cost.
    case http
    /// A new connection per request: adds the director's per-connection cost.
    case httpClose = "http-close"
    /// Fixed-size request/response over long-lived TCP connections.
    case tcpRR = "tcp-rr"
    /// One TCP connection per request/response.
    case tcpCRR = "tcp-crr"

    public init(parsing text: String) throws {
        guard let kind = LoadKind(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            let names = LoadKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw InvalidInput("unknown load '\(text)': use one of \(names)")
        }
        self = kind
    }

    public init?(argument: String) { try? self.init(parsing: argument) }

    /// Whether every request opens a new connection (the generator's `--close`).
    public var closesConnections: Bool { self == .httpClose || self == .tcpCRR }
    public var isHTTP: Bool { self == .http || self == .httpClose }
}
