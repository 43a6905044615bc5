import Foundation
import SystemKit

/// The one host-wide record of the host-global sysctls that labs changed: for each key the
/// value the host had before any lab touched it, the value set now, and the labs relying on it.
///
/// Why one shared, reference-counted record rather than each lab's own undo log alone: labs
/// on one host share one kernel, so the second lab to change a key would log the first lab's
/// value as "found" and put it back, leaving the host changed whichever lab went down last.
/// Here the first lab to change a key records the true original, a lab that wants the same
/// value only adds a reference, and the last one to let go restores the original.
///
/// A lab that wants a *different* value for a key another lab holds is refused (one line
/// naming the holder) instead of winning: the host has one value, so changing it would alter
/// the running lab's measurement behind its back, and no order of `lab down` could restore
/// what each lab expects.
///
/// It lives in a fixed host-wide directory, not under LVSBENCH_RUN_DIR: two run directories
/// still share one kernel. Every read-modify-write holds an exclusive `flock` on a lock file
/// beside the record. A holder is a lab directory; one that no longer exists (its lab was
/// removed without releasing, or releasing failed) no longer counts, and the original is
/// restored at the next access once no live holder is left.
public struct HostGlobalSysctls: Sendable {
    public struct Holding: Codable, Equatable, Sendable {
        /// The host's value before the first lab changed it: what the last release writes back.
        public var original: String
        /// The value the holders rely on.
        public var value: String
        /// Lab directories; empty while the original still has to be written back.
        public var holders: [String]
    }

    /// What `release` did.
    public enum Release: Equatable, Sendable {
        /// The record has no such key (a log older than this record, or the record was
        /// lost): the caller restores its own logged value.
        case notRecorded
        /// This holder had no reference (already released).
        case notHeld
        /// Other labs still rely on the value; nothing written.
        case stillHeld
        /// The last holder let go: the original is back.
        case restored
    }

    /// Refusal of a different value for a key another lab holds. Exit 2: nothing was changed.
    public struct Conflict: UserFacingError, Equatable {
        public var key: String
        public var wanted: String
        public var held: String
        public var holder: String
        public var description: String {
            "\(key) is host-wide and lab \(holder) holds it at \(held): apply the same value (not \(wanted)) "
                + "or bring that lab down first; nothing was changed"
        }
        public var exitStatus: ExitStatus { .usage }
    }

    struct File: Codable, Equatable {
        var version: Int
        var keys: [String: Holding]
    }

    static let version = 1
    public static let hostDirectory = "/run/lvsbench-host"
    /// The record every lab on this host uses.
    public static let shared = HostGlobalSysctls(directory: hostDirectory)

    public let directory: String
    public init(directory: String) { self.directory = directory }

    public var recordPath: String { directory + "/globals.json" }
    var lockPath: String { directory + "/globals.lock" }

    /// Every key held by a lab whose directory still exists, as the record has it.
    public func holdings() throws -> [String: Holding] {
        try locked(readOnly: true) { keys in keys.filter { !Self.live($0.value.holders).isEmpty } }
    }

    /// The key another live lab than `holder` holds at a value other than `value`, if any.
    public func conflict(key: String, value: String, holder: String) throws -> Conflict? {
        guard let holding = try holdings()[key] else { return nil }
        let others = Self.live(holding.holders).filter { $0 != Self.normalize(holder) }
        guard let other = others.first, holding.value != value else { return nil }
        return Conflict(key: key, wanted: value, held: holding.value, holder: other)
    }

    /// Makes `holder` rely on `key` = `value`, writing it through `host` unless another lab
    /// already set that value. Returns the host's original value. Throws `Conflict` when
    /// another live lab holds a different value.
    @discardableResult
    public func acquire(key: String, value: String, holder: String, host: SysctlUndoLog.HostCommand) throws -> String {
        let me = Self.normalize(holder)
        return try locked { keys in
            Self.dropGone(in: &keys, except: me, host: host)
            if var holding = keys[key] {
                let others = holding.holders.filter { $0 != me }
                if let other = others.first, holding.value != value {
                    throw Conflict(key: key, wanted: value, held: holding.value, holder: other)
                }
                if holding.holders.isEmpty || (others.isEmpty && holding.value != value) {
                    try Self.write(key, value, host: host)
                }
                holding.value = value
                if !holding.holders.contains(me) { holding.holders.append(me) }
                keys[key] = holding
                return holding.original
            }
            let original = try Self.read(key, host: host)
            if original != value { try Self.write(key, value, host: host) }
            keys[key] = Holding(original: original, value: value, holders: [me])
            return original
        }
    }

    /// Drops `holder`'s reference to `key`; the last live holder writes the original back.
    /// When that write fails the reference stays (for `tune reset`, or for the next access
    /// once the lab's directory is gone) and the error is thrown.
    @discardableResult
    public func release(key: String, holder: String, host: SysctlUndoLog.HostCommand) throws -> Release {
        let me = Self.normalize(holder)
        return try locked { keys in
            guard var holding = keys[key] else { return .notRecorded }
            let held = holding.holders.contains(me)
            holding.holders.removeAll { $0 == me }
            keys[key] = holding
            guard held else {
                Self.dropGone(in: &keys, except: me, host: host)
                return .notHeld
            }
            guard Self.live(holding.holders).isEmpty else {
                Self.dropGone(in: &keys, except: me, host: host)
                return .stillHeld
            }
            do {
                try Self.write(key, holding.original, host: host)
            } catch {
                holding.holders.append(me)
                keys[key] = holding
                throw error
            }
            keys[key] = nil
            Self.dropGone(in: &keys, except: me, host: host)
            return .restored
        }
    }

    /// Removes holders whose lab directory is gone, and writes the original back (best
    /// effort: a failure leaves the key with no holders, retried at the next access) for
    /// every key left without a holder. `except` is the caller, whose directory counts.
    static func dropGone(in keys: inout [String: Holding], except me: String, host: SysctlUndoLog.HostCommand) {
        for (key, var holding) in keys {
            holding.holders = holding.holders.filter { $0 == me || FileManager.default.fileExists(atPath: $0) }
            keys[key] = holding
            guard holding.holders.isEmpty else { continue }
            if (try? write(key, holding.original, host: host)) != nil { keys[key] = nil }
        }
    }

    static func live(_ holders: [String]) -> [String] {
        holders.filter { FileManager.default.fileExists(atPath: $0) }
    }

    static func normalize(_ holder: String) -> String {
        URL(fileURLWithPath: holder).standardizedFileURL.path
    }

    static func procPath(_ key: String) -> String { "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/") }

    static func read(_ key: String, host: SysctlUndoLog.HostCommand) throws -> String {
        let argv = ["cat", procPath(key)]
        let result = try host(argv)
        guard result.succeeded else { throw CommandFailed(argv: argv, result: result) }
        return result.stdout.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ")
    }

    static func write(_ key: String, _ value: String, host: SysctlUndoLog.HostCommand) throws {
        let argv = SysctlUndoLog.sysctlCommand(key: key, value: value)
        let result = try host(argv)
        guard result.succeeded else { throw CommandFailed(argv: argv, result: result) }
    }

    /// Runs `body` on the record under the lock and saves what it changed, also when it
    /// throws (a write that already happened must stay recorded).
    func locked<T>(readOnly: Bool = false, _ body: (inout [String: Holding]) throws -> T) throws -> T {
        try prepareDirectory()
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw RuntimeFailure("cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw RuntimeFailure("cannot lock \(lockPath): \(String(cString: strerror(errno)))") }
        }
        let before = try load()
        var keys = before
        func save() throws {
            guard !readOnly, keys != before else { return }
            if keys.isEmpty {
                if unlink(recordPath) != 0 && errno != ENOENT {
                    throw RuntimeFailure("cannot remove \(recordPath): \(String(cString: strerror(errno)))")
                }
            } else {
                try AtomicFile.writeJSON(File(version: Self.version, keys: keys), to: recordPath)
            }
        }
        do {
            let result = try body(&keys)
            try save()
            return result
        } catch {
            try? save()
            throw error
        }
    }

    func load() throws -> [String: Holding] {
        guard let data = FileManager.default.contents(atPath: recordPath) else { return [:] }
        let file: File
        do {
            file = try JSONCoding.decode(File.self, from: data)
        } catch {
            throw RuntimeFailure("cannot read \(recordPath) (\(error)): set the host-wide sysctls it lists back by hand, then delete it")
        }
        guard file.version == Self.version else {
            throw RuntimeFailure("\(recordPath) has version \(file.version), this lvsbench reads \(Self.version): "
                                 + "use the lvsbench that wrote it, or restore its values by hand and delete it")
        }
        return file.keys
    }

    /// Creates the directory 0700, or checks that the existing one is a real directory of
    /// this user that nobody else can write (root acts on what it finds there).
    func prepareDirectory() throws {
        if mkdir(directory, 0o700) == 0 { return }
        guard errno == EEXIST else {
            throw RuntimeFailure("cannot create \(directory): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid(),
              info.st_mode & 0o022 == 0 else {
            throw RuntimeFailure("\(directory) is not a directory of this user writable only by it: remove it and try again")
        }
    }
}
