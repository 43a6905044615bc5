import Foundation

/// Where labs live and what they are called, from the environment: `LVSBENCH_PREFIX`
/// (namespace prefix, default `lvsb`) and `LVSBENCH_RUN_DIR` (state, default /run/lvsbench),
/// so that concurrent users never see or reap each other's labs.
public enum LabEnvironment {
    public static var prefix: String {
        let value = ProcessInfo.processInfo.environment["LVSBENCH_PREFIX"] ?? ""
        return value.isEmpty ? "lvsb" : value
    }

    public static var runDirectory: String {
        let value = ProcessInfo.processInfo.environment["LVSBENCH_RUN_DIR"] ?? ""
        return value.isEmpty ? "/run/lvsbench" : value
    }

    public static var labsDirectory: String { runDirectory + "/labs" }

    /// How the UML director's interfaces reach the host, `LVSBENCH_UML_VEC`: the vector
    /// driver's options for every interface, transport first (`raw`, `tap`, `hybrid`), e.g.
    /// `tap` or `raw,depth=128`. Default `GuestInit.defaultVector`. Kept as a knob for
    /// Benchmarks/Emulator.md, which measures the options against each other.
    public static var umlVector: String {
        let value = ProcessInfo.processInfo.environment["LVSBENCH_UML_VEC"] ?? ""
        return value.isEmpty ? GuestInit.defaultVector : value
    }

    public static func labDirectory(_ name: String) -> String { labsDirectory + "/" + name }

    public static func statePath(_ name: String) -> String { labDirectory(name) + "/state.json" }

    /// The lvsbench executable, which the lab starts as the responder and the guest agent:
    /// `LVSBENCH_EXE`, else this process when it is lvsbench, else `lvsbench` beside this
    /// process's executable (a test bundle's runner sits next to the built CLI).
    public static var executable: String {
        if let env = ProcessInfo.processInfo.environment["LVSBENCH_EXE"], !env.isEmpty { return env }
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let url = URL(fileURLWithPath: own)
        if url.lastPathComponent == "lvsbench" { return own }
        var dir = url.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("lvsbench").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return own
    }
}
