import Foundation
import Yams

/// Reads one profile file. Works on the YAML node tree rather than Decodable so that every
/// error carries the file and line, and so that sysctl keys keep their file order (the
/// order they are applied in).
public enum ProfileParser {
    static let topLevelKeys = Set(["name", "description", "inherits"])
        .union(ProfileRole.allCases.map(\.rawValue))

    /// Parses `text`, read from `file` (used in errors and as the profile's source).
    public static func parse(_ text: String, file: String) throws -> Profile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        }
        guard let root else { throw TunerError.invalidProfile(file: file, line: 1, problem: "the profile is empty") }
        guard let top = root.mapping else {
            throw TunerError.invalidProfile(file: file, line: line(root), problem: "a profile is a mapping of name, description, inherits and roles")
        }
        var name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var description = ""
        var inherits: String?
        var roles: [ProfileRole: RoleTuning] = [:]
        for (keyNode, value) in top {
            let key = keyNode.string ?? ""
            guard topLevelKeys.contains(key) else {
                throw TunerError.invalidProfile(file: file, line: line(keyNode),
                                                problem: "unknown field '\(key)': use name, description, inherits, director, reals, client or router")
            }
            switch key {
            case "name": name = try scalar(value, file: file, what: "name")
            case "description": description = try scalar(value, file: file, what: "description")
            case "inherits": inherits = try scalar(value, file: file, what: "inherits")
            default:
                let role = ProfileRole(rawValue: key)!
                roles[role] = try roleTuning(value, role: role, file: file)
            }
        }
        guard !name.isEmpty else { throw TunerError.invalidProfile(file: file, line: 1, problem: "name is empty") }
        return Profile(name: name, description: description, inherits: inherits, source: file, roles: roles)
    }

    static func roleTuning(_ node: Node, role: ProfileRole, file: String) throws -> RoleTuning {
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" { return RoleTuning() }
        guard let map = node.mapping else {
            throw TunerError.invalidProfile(file: file, line: line(node), problem: "\(role.rawValue): expected a mapping with `sysctl:`")
        }
        var tuning = RoleTuning()
        for (keyNode, value) in map {
            switch (keyNode.string ?? "", role) {
            case ("sysctl", _):
                tuning.sysctl = try sysctls(value, file: file, section: "\(role.rawValue).sysctl")
            case ("ipvs", .director):
                try ipvs(value, into: &tuning, file: file)
            default:
                let allowed = role == .director ? "sysctl or ipvs" : "sysctl"
                throw TunerError.invalidProfile(file: file, line: line(keyNode),
                                                problem: "\(role.rawValue): unknown field '\(keyNode.string ?? "")': use \(allowed)")
            }
        }
        return tuning
    }

    static func ipvs(_ node: Node, into tuning: inout RoleTuning, file: String) throws {
        guard let map = node.mapping else {
            throw TunerError.invalidProfile(file: file, line: line(node), problem: "director.ipvs: expected a mapping with timeouts and sysctl")
        }
        for (keyNode, value) in map {
            switch keyNode.string ?? "" {
            case "timeouts":
                tuning.ipvsTimeouts = try timeouts(value, file: file)
            case "sysctl":
                let settings = try sysctls(value, file: file, section: "director.ipvs.sysctl")
                if let wrong = settings.first(where: { !$0.key.hasPrefix("net.ipv4.vs.") }) {
                    throw TunerError.invalidProfile(file: file, line: line(value),
                                                    problem: "director.ipvs.sysctl: \(wrong.key) is not an IPVS key (net.ipv4.vs.*): move it to director.sysctl")
                }
                tuning.ipvsSysctl = settings
            default:
                throw TunerError.invalidProfile(file: file, line: line(keyNode),
                                                problem: "director.ipvs: unknown field '\(keyNode.string ?? "")': use timeouts or sysctl")
            }
        }
    }

    static func timeouts(_ node: Node, file: String) throws -> TimeoutsOverride {
        guard let map = node.mapping else {
            throw TunerError.invalidProfile(file: file, line: line(node), problem: "director.ipvs.timeouts: expected {tcp, tcpfin, udp}")
        }
        var result = TimeoutsOverride()
        for (keyNode, value) in map {
            let key = keyNode.string ?? ""
            let text = try scalar(value, file: file, what: "director.ipvs.timeouts.\(key)")
            guard let seconds = Int(text), seconds > 0, seconds <= Int(Int32.max) / 1000 else {
                throw TunerError.invalidProfile(file: file, line: line(value),
                                                problem: "director.ipvs.timeouts.\(key): '\(text)' is not a positive number of seconds")
            }
            switch key {
            case "tcp": result.tcp = seconds
            case "tcpfin": result.tcpfin = seconds
            case "udp": result.udp = seconds
            default:
                throw TunerError.invalidProfile(file: file, line: line(keyNode),
                                                problem: "director.ipvs.timeouts: unknown field '\(key)': use tcp, tcpfin or udp")
            }
        }
        return result
    }

    static func sysctls(_ node: Node, file: String, section: String) throws -> [SysctlSetting] {
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" { return [] }
        guard let map = node.mapping else {
            throw TunerError.invalidProfile(file: file, line: line(node), problem: "\(section): expected a mapping of sysctl keys to values")
        }
        var result: [SysctlSetting] = []
        for (keyNode, value) in map {
            let key = keyNode.string ?? ""
            guard SysctlKey.isWellFormed(key) else {
                throw TunerError.invalidProfile(file: file, line: line(keyNode),
                                                problem: "\(section): '\(key)' is not a sysctl key (dotted, like net.ipv4.tcp_fin_timeout)")
            }
            guard !result.contains(where: { $0.key == key }) else {
                throw TunerError.invalidProfile(file: file, line: line(keyNode), problem: "\(section): \(key) is set twice")
            }
            let text: String
            if let items = value.sequence {
                text = try items.map { try scalar($0, file: file, what: key) }.joined(separator: " ")
            } else {
                text = try scalar(value, file: file, what: key)
            }
            guard !SysctlSetting.normalize(text).isEmpty else {
                throw TunerError.invalidProfile(file: file, line: line(value), problem: "\(section): \(key) has no value")
            }
            result.append(SysctlSetting(key: key, value: text))
        }
        return result
    }

    static func scalar(_ node: Node, file: String, what: String) throws -> String {
        guard case .scalar(let s) = node else {
            throw TunerError.invalidProfile(file: file, line: line(node), problem: "\(what): expected a single value")
        }
        return s.string
    }

    static func line(_ node: Node) -> Int { node.mark?.line ?? 1 }

    static func syntaxError(_ error: YamlError, file: String) -> TunerError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let detail = context.map { "\(problem) (\($0.text))" } ?? problem
            return .syntax(file: file, line: mark.line, problem: detail)
        case let .duplicatedKeysInMapping(duplicates, context):
            return .syntax(file: file, line: context.mark.line, problem: "duplicate keys \(duplicates.joined(separator: ", "))")
        default:
            return .syntax(file: file, line: 1, problem: "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable")
        }
    }
}

/// Sysctl key spelling: dotted names under /proc/sys.
public enum SysctlKey {
    /// Letters, digits, `_`, `-` in dot-separated parts; no empty part, no `..` (which
    /// would escape /proc/sys when turned into a path).
    public static func isWellFormed(_ key: String) -> Bool {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }
    }

    /// /proc/sys/net/ipv4/tcp_fin_timeout for net.ipv4.tcp_fin_timeout.
    public static func procPath(_ key: String) -> String {
        "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
    }
}
