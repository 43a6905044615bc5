import Foundation
import Lab
import SystemKit

/// Runs a command somewhere: inside a lab node, or on the host (its initial namespace).
public typealias CommandRunner = @Sendable ([String]) throws -> ProcessResult

/// Reads sysctls in bulk (one `grep` and one `stat` per node instead of
/// two processes per key: entering a namespace or the guest costs milliseconds each).
public enum NodeSysctls {
    /// The host's own view, for keys a namespace node cannot see or write.
    public static let hostRunner: CommandRunner = { argv in try ProcessRunner.run(argv, timeout: 30) }

    public static func runner(for node: any LabNode) -> CommandRunner {
        { argv in try node.run(argv, timeout: 30) }
    }

    /// What `run`'s /proc/sys shows for each of `keys`; absent keys are left out.
    public static func probe(_ keys: [String], run: CommandRunner) throws -> [String: SysctlProbe] {
        guard !keys.isEmpty else { return [:] }
        let paths = keys.map(SysctlKey.procPath)
        let byPath = Dictionary(zip(paths, keys), uniquingKeysWith: { a, _ in a })
        var modes: [String: Int] = [:]
        for line in try run(["stat", "-c", "%a %n"] + paths).stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, let mode = Int(parts[0], radix: 8), let key = byPath[parts[1]] else { continue }
            modes[key] = mode
        }
        var values: [String: String] = [:]
        let readable = paths.filter { modes[byPath[$0]!] != nil }
        if !readable.isEmpty {
            // -H: name each line's file even when only one is given; "" matches every line.
            for line in try run(["grep", "-H", ""] + readable).stdout.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":"), let key = byPath[String(line[..<colon])] else { continue }
                values[key] = SysctlSetting.normalize(String(line[line.index(after: colon)...]))
            }
        }
        var result: [String: SysctlProbe] = [:]
        for (key, mode) in modes { result[key] = SysctlProbe(value: values[key] ?? "", mode: mode) }
        return result
    }

    /// True when `node` runs its own kernel (a user-mode Linux guest), told by its boot id.
    public static func hasOwnKernel(_ node: any LabNode, host: CommandRunner = hostRunner) throws -> Bool {
        let path = "/proc/sys/kernel/random/boot_id"
        let mine = try host(["cat", path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let theirs = try node.readFile(path).trimmingCharacters(in: .whitespacesAndNewlines)
        return !theirs.isEmpty && theirs != mine
    }
}
