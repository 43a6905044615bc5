import Foundation
import SystemKit

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
    public var autoBackend: DirectorBackend

    public static func probe() -> HostReport {
        let kernel = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        let ipvs = LabEngine.hostHasIPVS(tryLoading: true)
        let modules = GuestInit.moduleSource + "/" + GuestInit.kernelRelease + "/kernel/net/netfilter/ipvs/ip_vs.ko"
        let versionArgs: [(String, [String])] = [
            ("ipvsadm", ["--version"]), ("ip", ["-V"]), ("tc", ["-V"]), ("nginx", ["-v"]),
            ("curl", ["--version"]), ("linux.uml", ["--version"]),
        ]
        let tools = versionArgs.map { name, args -> Tool in
            guard let path = ToolLocator.find(name) else { return Tool(name: name, path: nil, version: nil) }
            let r = try? ProcessRunner.run([path] + args, timeout: 10)
            let text = [r?.stdout ?? "", r?.stderr ?? ""].joined(separator: "\n")
            let line = text.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) }
            return Tool(name: name, path: path, version: line)
        }
        return HostReport(kernel: kernel, kernelIPVS: ipvs, kernelIPIP: DecapProgram.hostHasIPIP,
                          userModeLinux: ToolLocator.find("linux.uml"),
                          umlModules: FileManager.default.fileExists(atPath: modules),
                          bpfDecap: DecapProgram.clang() != nil && ToolLocator.find("tc") != nil
                              && FileManager.default.fileExists(atPath: "/usr/include/linux/bpf.h"),
                          tools: tools, autoBackend: ipvs ? .native : .uml)
    }

    /// Whether the lab can run here with the backend `auto` picks.
    public var labPossible: Bool {
        let have = Set(tools.filter { $0.path != nil }.map(\.name))
        let base = have.isSuperset(of: ["ip", "nginx", "curl", "ipvsadm"])
        return base && (kernelIPVS || (userModeLinux != nil && umlModules))
    }
}
