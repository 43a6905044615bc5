import Foundation
import IPVSControl
import SystemKit

/// The lab topologies a run can measure: one forwarding method for every real, or `mixed`
/// (the lab's mix of methods in one service), so a user can compare them in one matrix.
public enum RunMode: String, CaseIterable, Codable, Sendable {
    case nat, dr, tun, mixed

    public init(parsing text: String) throws {
        guard let mode = RunMode(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            let names = RunMode.allCases.map(\.rawValue).joined(separator: ", ")
            throw InvalidInput("unknown mode '\(text)': use one of \(names)")
        }
        self = mode
    }
}

/// What the load generator does in a cell. HTTP kinds talk to the reals' nginx; TCP kinds
/// to the reals' request/response server on the lab's TCP port.
public enum LoadKind: String, CaseIterable, Codable, Sendable {
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

    /// Whether every request opens a new connection (the generator's `--close`).
    public var closesConnections: Bool { self == .httpClose || self == .tcpCRR }
    public var isHTTP: Bool { self == .http || self == .httpClose }
}

/// Splits the comma lists users give (`--mode nat,dr`) and rejects empty ones, so an empty
/// matrix never starts a lab.
public enum ListOption {
    public static func split(_ text: String, option: String) throws -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty, !items.contains(where: \.isEmpty) else {
            throw InvalidInput("\(option) '\(text)' has an empty entry: give a comma list such as \(example(option))")
        }
        return items
    }

    /// Parses every entry of a comma list with `parse`, dropping repeats but keeping order.
    public static func parse<T: Equatable>(_ text: String, option: String,
                                           _ parse: (String) throws -> T) throws -> [T] {
        var values: [T] = []
        for item in try split(text, option: option) {
            let value = try parse(item)
            if !values.contains(value) { values.append(value) }
        }
        return values
    }

    static func example(_ option: String) -> String {
        switch option {
        case "--mode": return "nat,dr"
        case "--scheduler": return "rr,wrr"
        case "--profile": return "default"
        case "--reals": return "1,2,4,8"
        default: return "a,b"
        }
    }
}
