import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Directories only their owner can enter or change. lvsbench runs as root and keeps in its
/// run directory what root later executes, loads or trusts: a UML guest's init script and
/// its agent's secret, nginx configs, the BPF object tc loads into the kernel, the guest's
/// mconsole socket, state and logs. Anyone else able to write there, or to swap a directory
/// on the way there, could plant any of them; anyone able to read there could take the
/// secret. So these directories are 0700 and owned by this user, and every directory above
/// them must be one that no one else can change either.
public enum PrivateDirectory {
    /// Makes `path` private. `top` is `path` or an ancestor of it: the first directory that
    /// lvsbench itself owns (the run directory). From `top` down to `path`, each directory is
    /// created 0700 when missing; when present it must be a real directory (not a symbolic
    /// link) owned by this user, and is set to 0700. Every directory above `top` must be safe
    /// to pass through (`requireSafeAncestors`).
    public static func create(_ path: String, from top: String) throws {
        let target = normalized(path), base = normalized(top)
        guard base != "/", target == base || target.hasPrefix(base + "/") else {
            throw RuntimeFailure("cannot create \(path) privately: it is not below \(top)")
        }
        try requireSafeAncestors(of: base)
        var current = parent(of: base)
        let below = target == base ? [] : target.dropFirst(base.count + 1).split(separator: "/").map(String.init)
        for name in [lastComponent(of: base)] + below {
            current = current == "/" ? "/" + name : current + "/" + name
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw RuntimeFailure("cannot create \(current): \(String(cString: strerror(errno)))")
            }
            try makeOwnPrivate(current)
        }
    }

    /// Throws unless `path` is a real directory owned by this user that no one else can write
    /// into, below directories no one else can change: where a file may be built or reused
    /// that root then loads.
    public static func requireUnwritableByOthers(_ path: String) throws {
        let dir = normalized(path)
        try requireSafeAncestors(of: dir)
        var st = stat()
        guard lstat(dir, &st) == 0 else {
            throw RuntimeFailure("cannot use \(dir): \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & S_IFMT == S_IFDIR, st.st_uid == geteuid(), st.st_mode & 0o022 == 0 else {
            throw InvalidInput("\(dir) is not a directory only uid \(geteuid()) can write: "
                + "lvsbench builds and loads files only in such a directory; check LVSBENCH_RUN_DIR")
        }
    }

    /// Creates a new, uniquely named 0700 directory in `directory` (mkdtemp) and returns its path.
    public static func makeTemporary(in directory: String, prefix: String) throws -> String {
        var template = Array((normalized(directory) + "/" + prefix + "-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw RuntimeFailure("cannot create a directory in \(directory): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    /// Checks every proper ancestor of `path`, from `/` down: each must belong to root or this
    /// user, and be writable by no one else unless it is sticky (like /tmp, where others may
    /// add entries but not rename or remove ours). A symbolic link on the way (/var/run) must
    /// itself belong to root or this user, and its target is checked the same way.
    public static func requireSafeAncestors(of path: String) throws {
        var current = ""
        for name in parent(of: normalized(path)).split(separator: "/") {
            current += "/" + name
            var st = stat()
            guard lstat(current, &st) == 0 else {
                throw RuntimeFailure("cannot use \(path): \(current): \(String(cString: strerror(errno)))")
            }
            if st.st_mode & S_IFMT == S_IFLNK {
                guard trusted(st.st_uid) else { throw unsafe(path, current, "is a symbolic link owned by uid \(st.st_uid)") }
                guard stat(current, &st) == 0 else {
                    throw RuntimeFailure("cannot use \(path): \(current): \(String(cString: strerror(errno)))")
                }
            }
            guard st.st_mode & S_IFMT == S_IFDIR else { throw unsafe(path, current, "is not a directory") }
            guard trusted(st.st_uid) else { throw unsafe(path, current, "belongs to uid \(st.st_uid)") }
            guard st.st_mode & 0o022 == 0 || st.st_mode & S_ISVTX != 0 else {
                throw unsafe(path, current, "is writable by others and not sticky")
            }
        }
    }

    /// Opens `path` without following a link, checks it is a directory of this user, and
    /// sets it to 0700 through the open descriptor (no window for a swap).
    private static func makeOwnPrivate(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw InvalidInput("\(path) is not a directory (\(String(cString: strerror(errno)))): "
                + "remove it or choose another LVSBENCH_RUN_DIR")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw RuntimeFailure("cannot use \(path): \(String(cString: strerror(errno)))") }
        guard st.st_uid == geteuid() else {
            throw InvalidInput("\(path) belongs to uid \(st.st_uid), not to uid \(geteuid()): "
                + "remove it or choose another LVSBENCH_RUN_DIR")
        }
        if st.st_mode & 0o7777 != 0o700 && fchmod(fd, 0o700) != 0 {
            throw RuntimeFailure("cannot make \(path) private: \(String(cString: strerror(errno)))")
        }
    }

    private static func trusted(_ uid: uid_t) -> Bool { uid == 0 || uid == geteuid() }

    private static func unsafe(_ path: String, _ component: String, _ why: String) -> InvalidInput {
        InvalidInput("cannot keep private files in \(path): \(component) \(why), so others could swap it; "
            + "choose a LVSBENCH_RUN_DIR below directories only root can change")
    }

    /// An absolute path without "." parts, duplicate or trailing slashes (`..` is kept out of
    /// the way by standardizing).
    static func normalized(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let standard = URL(fileURLWithPath: absolute).standardizedFileURL.path
        return standard.count > 1 && standard.hasSuffix("/") ? String(standard.dropLast()) : standard
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    private static func lastComponent(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? ""
    }
}
