import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts long-running servers (nginx, the responder, a UML guest) in a session of their
/// own, so a Ctrl-C at the terminal does not reach them and they outlive the starting
/// process; the returned pid is the session and process-group id, so the whole group can
/// be stopped later.
/// glibc 2.34+; not in Swift's Glibc module map.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawn_addclosefrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32

public enum DetachedProcess {
    /// Spawns argv with stdin from /dev/null and stdout+stderr appended to `log`. The log is
    /// opened without following a symbolic link: a link planted at its name cannot make a
    /// root daemon append to another file.
    public static func spawn(_ argv: [String], log: String) throws -> Int32 {
        precondition(!argv.isEmpty, "empty argv")
        let path = try ToolLocator.require(argv[0])
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // POSIX_SPAWN_SETSID (glibc 2.26+): setsid() in the child before exec.
        posix_spawnattr_setflags(&attr, Int16(0x80))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Inherit nothing else: Foundation's Process watches a child through a socket the
        // child holds, so a daemon keeping that socket would hide its parent's exit.
        guard spawn_addclosefrom(&actions, 3) == 0 else {
            throw RuntimeFailure("cannot start \(argv[0]): posix_spawn_file_actions_addclosefrom_np failed (glibc 2.34 or newer needed)")
        }
        let cArgs = ([path] + argv.dropFirst()).map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, cArgs, environ)
        guard rc == 0 else {
            throw RuntimeFailure("cannot start \(argv[0]): \(String(cString: strerror(rc)))")
        }
        return pid
    }

    /// The command line of `pid` with NULs as spaces, or nil when it is gone.
    public static func commandLine(of pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// Whether `commandLine` holds `marker` as whole words: the marker's space-separated
    /// words appear one after another among the command line's words (argv elements split
    /// at spaces, since nginx rewrites its argv into one spaced title). So `umid=hc-a`
    /// matches the argv element `umid=hc-a` but not `umid=hc-ab`; an empty marker matches
    /// nothing.
    public static func commandLine(_ commandLine: String, matches marker: String) -> Bool {
        let want = words(marker), have = words(commandLine)
        guard !want.isEmpty, have.count >= want.count else { return false }
        return (0...(have.count - want.count)).contains { Array(have[$0..<($0 + want.count)]) == want }
    }

    /// Whether `pid` runs now with `marker` in its command line (see `commandLine(_:matches:)`).
    public static func matches(_ pid: Int32, marker: String) -> Bool {
        commandLine(of: pid).map { commandLine($0, matches: marker) } ?? false
    }

    private static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: { $0 == " " || $0 == "\0" })
    }

    /// Whether `pid` exists and is not a zombie (reaping it when it is our own child).
    public static func isAlive(_ pid: Int32) -> Bool {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        guard let fields = statFields(pid), let state = fields.first else { return false }
        return state != "Z" && state != "X"
    }

    /// When `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat): with the
    /// pid, it names one process for good, as a pid alone gets reused.
    public static func startTime(of pid: Int32) -> UInt64? {
        guard let fields = statFields(pid), fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    /// The fields of /proc/<pid>/stat after the command name, starting with the state
    /// (field 3), or nil when `pid` is gone.
    static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    /// SIGKILLs `pid` (with `group`, the members of its process group) and waits up to
    /// `wait` seconds until they are gone; returns whether they are. Every process is checked
    /// before it is signalled: it must have `marker` in its command line, or descend (within
    /// the group) from one that has (nginx's workers retitle themselves). A group leader can
    /// exit before the rest of its group (user-mode Linux's helpers do), so the members are
    /// found by group id, not through the leader; a member that is not ours is left alone.
    /// Ours are stopped (SIGSTOP) until a scan finds no new one, then killed: a stopped
    /// process cannot fork, so no child is orphaned (and so unrecognisable) midway.
    /// A live `pid` that is not ours (the pid was reused) is left alone and reported as not
    /// gone; members that are not ours may still exit by themselves within `wait`.
    @discardableResult
    public static func stop(_ pid: Int32, marker: String, group: Bool, wait: Double = 5) -> Bool {
        guard pid > 1 else { return true }
        if isAlive(pid), let command = commandLine(of: pid), !commandLine(command, matches: marker) { return false }
        let deadline = Date().addingTimeInterval(wait)
        let members = { (group ? groupMembers(pid) : [pid]).filter(isAlive) }
        var ours = Set<Int32>()
        while Date() < deadline {
            let found = verified(members().filter { !ours.contains($0) }, marker: marker, known: ours)
            if found.isEmpty && ours.allSatisfy(isStoppedOrGone) { break }
            for p in found { kill(p, SIGSTOP); ours.insert(p) }
            usleep(1_000)
        }
        for p in ours { kill(p, SIGKILL) }
        while !members().isEmpty {
            guard Date() < deadline else { return false }
            usleep(10_000)
        }
        return true
    }

    /// Whether `pid` is stopped (by a signal or a tracer), a zombie, or gone.
    static func isStoppedOrGone(_ pid: Int32) -> Bool {
        guard let state = statFields(pid)?.first else { return true }
        return ["T", "t", "Z", "X"].contains(state)
    }

    /// The processes of `pids` that carry `marker`, and those whose parent chain leads to one
    /// that does or to one of `known` (already found to be ours).
    static func verified(_ pids: [Int32], marker: String, known: Set<Int32> = []) -> [Int32] {
        let members = Set(pids)
        var ours = Set(pids.filter { matches($0, marker: marker) })
        var grew = true
        while grew {
            grew = false
            for p in members.subtracting(ours) {
                if let parent = parent(of: p), ours.contains(parent) || known.contains(parent) { ours.insert(p); grew = true }
            }
        }
        return pids.filter(ours.contains)
    }

    /// The parent pid of `pid` (field 4 of /proc/<pid>/stat).
    static func parent(of pid: Int32) -> Int32? {
        guard let fields = statFields(pid), fields.count > 1 else { return nil }
        return Int32(fields[1])
    }

    /// Pids whose process group is `pgid` (field 5 of /proc/<pid>/stat).
    static func groupMembers(_ pgid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { p in
            guard let fields = statFields(p) else { return false }
            return fields.count > 2 && Int32(fields[2]) == pgid
        }
    }
}
