import Foundation
import SystemKit

/// Why a lab's `state.json` cannot be used. A missing file is bad input (no such lab); an
/// unreadable or foreign one is a failure that `lab down` still acts on, by the lab's name.
public struct LabStateError: UserFacingError, Equatable {
    public enum Kind: Equatable, Sendable {
        /// There is no state file.
        case missing
        /// Not JSON, truncated, a field missing or of the wrong type, or a record that is not
        /// the lab's own.
        case unreadable
        /// Written by a newer lvsbench, in a format this one does not know.
        case foreign(version: Int)
    }

    public let kind: Kind
    public let name: String
    public let path: String
    /// What is wrong, one line.
    public let reason: String

    public init(_ kind: Kind, name: String, path: String, reason: String = "") {
        self.kind = kind
        self.name = name
        self.path = path
        self.reason = reason.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    public var description: String {
        switch kind {
        case .missing:
            return "no lab named '\(name)' (no \(path)): start one with `lvsbench lab up --name \(name)`"
        case .unreadable:
            return "lab state \(path) is unreadable (\(reason)): remove the lab with `lvsbench lab down --name \(name)`"
        case .foreign(let version):
            return "lab state \(path) has format version \(version), this lvsbench reads up to \(LabState.currentFormatVersion): "
                + "use the lvsbench that made it, or `lvsbench lab down --name \(name)` to remove it by name"
        }
    }

    public var exitStatus: ExitStatus { kind == .missing ? .usage : .failure }

    /// A decoding error as one short line: which field, what is wrong with it.
    static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func at(_ path: [CodingKey]) -> String {
            path.isEmpty ? "the top level" : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "field \(at(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(at(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(at(context.codingPath)) has an invalid value"
        @unknown default:
            return "\(error)"
        }
    }
}
