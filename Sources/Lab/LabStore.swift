import Foundation
import SystemKit

/// Reads and writes lab state files.
public enum LabStore {
    public static func save(_ state: LabState) throws {
        try AtomicFile.writeJSON(state, to: LabEnvironment.statePath(state.name))
    }

    /// Lab `name`'s state; throws `LabStateError` when there is none, or it is unreadable
    /// or foreign.
    public static func load(_ name: String) throws -> LabState {
        let path = LabEnvironment.statePath(name)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LabStateError(.missing, name: name, path: path)
        }
        return try decode(data, name: name, path: path)
    }

    /// Decodes a state file's bytes as lab `name`'s: the format version first (absent is
    /// format 1; newer is foreign), then every field, then whether each namespace, node and
    /// process it records is the lab's own. Any failure is a `LabStateError`.
    public static func decode(_ data: Data, name: String, path: String) throws -> LabState {
        struct Header: Decodable { var formatVersion: Int? }
        let header: Header
        do { header = try JSONCoding.decode(Header.self, from: data) } catch {
            throw LabStateError(.unreadable, name: name, path: path, reason: LabStateError.describe(error))
        }
        let version = header.formatVersion ?? 1
        guard (1...LabState.currentFormatVersion).contains(version) else {
            throw LabStateError(.foreign(version: version), name: name, path: path)
        }
        let state: LabState
        do { state = try JSONCoding.decode(LabState.self, from: data) } catch {
            throw LabStateError(.unreadable, name: name, path: path, reason: LabStateError.describe(error))
        }
        if let problem = state.ownershipProblem(name: name) ?? state.structureProblem {
            throw LabStateError(.unreadable, name: name, path: path, reason: problem)
        }
        return state
    }

    /// Names of labs that have a state directory, sorted.
    public static func names() -> [String] {
        let dirs = (try? FileManager.default.contentsOfDirectory(atPath: LabEnvironment.labsDirectory)) ?? []
        return dirs.filter { FileManager.default.fileExists(atPath: LabEnvironment.statePath($0)) }.sorted()
    }
}
