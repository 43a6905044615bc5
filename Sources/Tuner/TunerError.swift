import Foundation
import SystemKit

/// Everything the tuner refuses or fails at; each description names the profile, file, node
/// or key concerned and what would fix it.
public enum TunerError: UserFacingError, Equatable {
    case profileNotFound(name: String, directory: String)
    case noProfilesDirectory(searched: [String])
    case syntax(file: String, line: Int, problem: String)
    case invalidProfile(file: String, line: Int, problem: String)
    case inheritanceCycle(chain: [String])
    case missingParent(profile: String, parent: String)
    case missingKeys([MissingKey])
    case badValue(node: String, key: String, problem: String)
    case globalKeys(node: String, keys: [String])
    case notTuned(labDirectory: String)
    case applyFailed(step: String, cause: String, rolledBack: Bool, restoreFailures: [String])
    case interrupted(rolledBack: Bool)

    /// A key a node's kernel does not have.
    public struct MissingKey: Codable, Equatable, Sendable {
        public var node: String
        public var key: String
        public init(node: String, key: String) {
            self.node = node
            self.key = key
        }
    }

    public var description: String {
        switch self {
        case let .profileNotFound(name, directory):
            return "profile '\(name)' not found: no \(directory)/\(name).yaml (see `lvsbench tune list`, or give a path)"
        case let .noProfilesDirectory(searched):
            return "no profiles/ directory found (looked in \(searched.joined(separator: ", "))): set LVSBENCH_PROFILES"
        case let .syntax(file, line, problem):
            return Self.oneLine("\(file):\(line): YAML syntax error: \(problem)")
        case let .invalidProfile(file, line, problem):
            return Self.oneLine("\(file):\(line): \(problem)")
        case let .inheritanceCycle(chain):
            return "profile '\(chain[0])' inherits from itself: \(chain.joined(separator: " -> ")); break the cycle"
        case let .missingParent(profile, parent):
            return "profile '\(profile)' inherits '\(parent)', which does not exist: fix its `inherits:`"
        case let .missingKeys(keys):
            let list = keys.map { "\($0.key) (\($0.node))" }.joined(separator: ", ")
            return "this kernel lacks \(list): nothing was changed; pass --skip-missing to apply the rest"
        case let .badValue(node, key, problem):
            return "\(key) on \(node): \(problem); nothing was changed"
        case let .globalKeys(node, keys):
            return "\(keys.joined(separator: ", ")) on \(node) would change the whole host (not per network namespace): "
                + "nothing was changed; pass --allow-global to allow it"
        case let .notTuned(labDirectory):
            return "no tuning recorded in \(labDirectory): apply a profile first with `lvsbench tune apply`"
        case let .applyFailed(step, cause, rolledBack, failures):
            let undo = rolledBack ? "everything applied before it was restored"
                : "restoring failed for \(failures.joined(separator: "; ")): run `lvsbench tune reset`"
            return "\(step) failed (\(cause)): \(undo)"
        case let .interrupted(rolledBack):
            return rolledBack ? "interrupted: every value changed so far was restored"
                : "interrupted and restoring failed: run `lvsbench tune reset`"
        }
    }

    /// Problems quote the profile's own text, which may hold line breaks and control
    /// characters (a quoted or block scalar): shown escaped, so the error stays one line.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f || (0x80..<0xa0).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\u{85}":
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .applyFailed: return .failure
        // Interrupted with every value restored is an interruption; with some left changed, a failure.
        case let .interrupted(rolledBack): return rolledBack ? .interrupted : .failure
        default: return .usage
        }
    }
}
