import Foundation
import SystemKit
import Vocabulary

/// What this host offers the lab, for `lvsbench doctor`.
public struct HostReport: Codable, Equatable, Sendable {
    public struct Tool: Codable, Equatable, Sendable {
        public var name: String
        public var path: String?
        public var version: String?
    }

    public var kernel: String
    public var kernelIPVS: Bool
    public var kernelIPIP: Bool
    public var userModeLinux: String?
    public var umlModules: Bool
    public var bpfDecap: Bool
    public var tools: [Tool]
    public var autoDirectorHost: DirectorHost

    public static func probe() -> HostReport {
        let kernel = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        let ipvs = LabEngine.hostHasIPVS(tryLoading: true)
        let modules = GuestInit.moduleSource + "/" + GuestInit.kernelRelease + "/kernel/net/netfilter/ipvs/ip_vs.ko"
        let versionArgs: [(String, [String])] = [
            ("ipvsadm", ["-v"]), ("ip", ["-V"]), ("tc", ["-V"]), ("nginx", ["-v"]),
            ("curl", ["--version"]), ("linux.uml", ["--version"]),
        ]
        let tools = versionArgs.map { name, args -> Tool in
            guard let path = ToolLocator.find(name) else { return Tool(name: name, path: nil, version: nil) }
            let r = try? ProcessRunner.run([path] + args, timeout: 10)
            let text = [r?.stdout ?? "", r?.stderr ?? ""].joined(separator: "\n")
            // The first line naming a version; ipvsadm on a kernel without IPVS prints
            // modprobe's complaint first.
            let lines = text.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }
            let line = lines.first { $0.range(of: #"\d+\.\d+"#, options: .regularExpression) != nil
                && !$0.contains("modprobe") } ?? packageVersion(of: name) ?? lines.first
            return Tool(name: name, path: path, version: line)
        }
        return HostReport(kernel: kernel, kernelIPVS: ipvs, kernelIPIP: DecapProgram.hostHasIPIP(),
                          userModeLinux: ToolLocator.find("linux.uml"),
                          umlModules: FileManager.default.fileExists(atPath: modules),
                          bpfDecap: DecapProgram.clang() != nil && ToolLocator.find("tc") != nil
                              && FileManager.default.fileExists(atPath: "/usr/include/linux/bpf.h"),
                          tools: tools, autoDirectorHost: ipvs ? .native : .uml)
    }

    /// "Debian package P V", for tools that cannot report their own version here (ipvsadm
    /// exits before printing it when the kernel has no IPVS).
    static func packageVersion(of tool: String) -> String? {
        guard let package = ToolLocator.packages[tool],
              let r = try? ProcessRunner.run(["dpkg-query", "-W", "-f=${Version}", package], timeout: 10),
              r.succeeded, !r.stdout.isEmpty else { return nil }
        return "Debian package \(package) \(r.stdout)"
    }

    /// Whether the lab can run here with the director host `auto` picks.
    public var labPossible: Bool {
        let have = Set(tools.filter { $0.path != nil }.map(\.name))
        let base = have.isSuperset(of: ["ip", "nginx", "curl", "ipvsadm"])
        return base && (kernelIPVS || (userModeLinux != nil && umlModules))
    }
}
