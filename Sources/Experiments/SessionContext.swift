import Foundation
import Lab
import Results
import SystemKit

/// What every session records about where it ran, gathered once before the first lab.
public enum SessionContext {
    /// Versions of the tools that shape the numbers; a tool that is missing or will not say
    /// is left out rather than guessed.
    public static func toolVersions() -> ToolVersions {
        func firstLine(_ argv: [String], stderr: Bool = false) -> String? {
            guard ToolLocator.find(argv[0]) != nil, let r = try? ProcessRunner.run(argv, timeout: 10) else { return nil }
            let text = stderr ? r.stderr : r.stdout
            return text.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        var other: [String: String] = [:]
        if let uml = firstLine(["linux.uml", "--version"]) { other["linux.uml"] = uml }
        // `nginx -v` says "nginx version: nginx/1.22.1"; the version is what follows the slash.
        let nginx = firstLine(["nginx", "-v"], stderr: true).map { line in
            line.range(of: "nginx/").map { String(line[$0.upperBound...]) } ?? line
        }
        return ToolVersions(lvsbench: lvsbenchVersion, ipvsadm: firstLine(["ipvsadm", "--version"]),
                            nginx: nginx, directorKernel: nil,
                            swift: swiftVersion, other: other)
    }

    /// The source revision when built from a git checkout (the package has no release number).
    static var lvsbenchVersion: String {
        let exe = LabEnvironment.executable
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<5 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(".git").path),
               let r = try? ProcessRunner.run(["git", "-C", dir.path, "describe", "--always", "--dirty"], timeout: 10),
               r.succeeded {
                return "git " + r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            dir = dir.deletingLastPathComponent()
        }
        return "unknown"
    }

    static var swiftVersion: String? {
        #if compiler(>=6.3)
        return "6.3+"
        #elseif compiler(>=6.0)
        return "6.x"
        #else
        return nil
        #endif
    }

    /// `uname -r` as the director sees it (the guest's kernel for a UML director).
    public static func kernel(of node: any LabNode) -> String? {
        guard let r = try? node.run(["uname", "-r"], timeout: 10), r.succeeded else { return nil }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public static func requireTools() throws {
        for tool in ["ip", "tc", "ipvsadm", "nginx", "curl"] { _ = try ToolLocator.require(tool) }
    }
}
