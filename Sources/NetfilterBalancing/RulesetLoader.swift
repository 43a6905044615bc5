import Balancing
import Foundation

/// Loads a ruleset whole or not at all: writes it to a file on the director and hands that
/// file to one `nft -f` or `iptables-restore`, each of which commits it as one transaction.
/// The file is written from the director's own side (a UML guest keeps /tmp private), in
/// arguments small enough for any argv, since the commands reach the director without stdin.
enum RulesetLoader {
    /// Bytes of ruleset per `sh -c` that appends it: well under Linux's 128 KiB per argument.
    static let chunkSize = 64 * 1024

    static func load(_ text: String, with command: [String], on runner: any CommandRunning) throws {
        let path = try runner.check(["mktemp", "/tmp/lvsbench-ruleset.XXXXXX"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? runner.run(["rm", "-f", path], timeout: 10) }
        for chunk in chunks(text) {
            try runner.check(["sh", "-c", "printf '%s' \"$1\" >> \"$0\"", path, chunk])
        }
        try runner.check(command + [path], timeout: 300)
    }

    /// `text` cut at line ends into pieces of at most `chunkSize` bytes (a longer line alone).
    static func chunks(_ text: String) -> [String] {
        var pieces: [String] = [], current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
            if !current.isEmpty && current.utf8.count + line.utf8.count + 1 > chunkSize {
                pieces.append(current)
                current = ""
            }
            current += line + "\n"
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }
}
