import Foundation

/// Where the tests find what the package built and ships: the `lvsbench` executable the
/// CLI tests run, and the package's own folders (profiles, results schema).
public enum BuiltBinary {
    /// The root of this package (the folder holding Package.swift).
    public static var packageRoot: URL {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            dir.deleteLastPathComponent()
        }
        return dir
    }

    /// The `lvsbench` built beside the test bundle (whatever the build folder), else
    /// `.build/debug/lvsbench` of this package.
    public static var lvsbench: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("lvsbench").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return packageRoot.appendingPathComponent(".build/debug/lvsbench").path
    }
}
