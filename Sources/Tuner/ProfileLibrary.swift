import Foundation

/// The profiles/ directory and the lookup of profiles in it by name, plus inheritance.
public struct ProfileLibrary: Sendable {
    /// The directory holding <name>.yaml files.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Finds profiles/: $LVSBENCH_PROFILES if set; otherwise the first `profiles` directory
    /// in the executable's directory or one of its parents (.build/debug/lvsbench sits
    /// inside the package), then in the current directory or one of its parents.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: String = CommandLine.arguments.first ?? "",
                              currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> ProfileLibrary {
        if let dir = environment["LVSBENCH_PROFILES"], !dir.isEmpty {
            guard isDirectory(dir) else { throw TunerError.noProfilesDirectory(searched: ["LVSBENCH_PROFILES=\(dir)"]) }
            return ProfileLibrary(directory: dir)
        }
        var searched: [String] = []
        let exe = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for start in [exe, URL(fileURLWithPath: currentDirectory)] {
            var dir = start.standardizedFileURL
            while true {
                let candidate = dir.appendingPathComponent("profiles").path
                if isDirectory(candidate) { return ProfileLibrary(directory: candidate) }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
            searched.append("\(start.path) and its parents")
        }
        throw TunerError.noProfilesDirectory(searched: searched)
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Names of the profiles in the directory, sorted.
    public func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }
            .map { String($0.dropLast(".yaml".count)) }
            .sorted()
    }

    /// A name is looked up in the directory; anything with a `/` or a .yaml/.yml ending is a path.
    public func file(for nameOrPath: String, relativeTo base: String? = nil) throws -> String {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml") {
            var path = nameOrPath
            if !path.hasPrefix("/"), let base {
                path = URL(fileURLWithPath: base).deletingLastPathComponent().appendingPathComponent(path).path
            }
            guard FileManager.default.fileExists(atPath: path) else {
                throw TunerError.profileNotFound(name: nameOrPath, directory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
            }
            return path
        }
        let path = directory + "/" + nameOrPath + ".yaml"
        guard FileManager.default.fileExists(atPath: path) else {
            throw TunerError.profileNotFound(name: nameOrPath, directory: directory)
        }
        return path
    }

    /// The profile as written in its file, without its parents' settings.
    public func load(_ nameOrPath: String, relativeTo base: String? = nil) throws -> Profile {
        let path = try file(for: nameOrPath, relativeTo: base)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TunerError.invalidProfile(file: path, line: 1, problem: "cannot read the file")
        }
        return try ProfileParser.parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// The profile with everything it inherits: child over parent. A cycle or a parent that
    /// does not exist is an error naming the profile.
    public func resolve(_ nameOrPath: String) throws -> Profile {
        try resolve(load(nameOrPath), seen: [])
    }

    func resolve(_ profile: Profile, seen: [String]) throws -> Profile {
        let seen = seen + [profile.name]
        guard let parentName = profile.inherits, !parentName.isEmpty else { return profile }
        let parent: Profile
        do {
            parent = try load(parentName, relativeTo: profile.source)
        } catch TunerError.profileNotFound {
            throw TunerError.missingParent(profile: profile.name, parent: parentName)
        }
        if seen.contains(parent.name) {
            throw TunerError.inheritanceCycle(chain: seen + [parent.name])
        }
        return profile.resolved(over: try resolve(parent, seen: seen))
    }
}
