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

    /// Whether `pid` exists and is not a zombie (reaping it when it is our own child).
    public static func isAlive(_ pid: Int32) -> Bool {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// SIGKILLs `pid` (its whole process group when `group`), but only while its command
    /// line still contains `marker`, and waits up to `wait` seconds until the process and
    /// every member of its group are gone. Returns whether they are. A group leader can exit
    /// before the rest of its group (user-mode Linux's helper processes do): members left
    /// in a group whose leader is gone are still the group this lab created (a group id
    /// stays taken while it has members), so they are ended by pid. A live `pid` that is no
    /// longer ours is left alone and reported as not gone.
    @discardableResult
    public static func stop(_ pid: Int32, marker: String, group: Bool, wait: Double = 5) -> Bool {
        guard pid > 1 else { return true }
        let leaderIsOurs = commandLine(of: pid)?.contains(marker) ?? false
        if leaderIsOurs {
            kill(group ? -pid : pid, SIGKILL)
        } else if isAlive(pid) || !group {
            return !isAlive(pid)
        }
        let remaining = { () -> [Int32] in
            (group ? groupMembers(pid) : []).filter { $0 != pid && isAlive($0) } + (isAlive(pid) ? [pid] : [])
        }
        let deadline = Date().addingTimeInterval(wait)
        while Date() < deadline {
            let left = remaining()
            if left.isEmpty { return true }
            left.forEach { kill($0, SIGKILL) }
            usleep(10_000)
        }
        return remaining().isEmpty
    }

    /// Pids whose process group is `pgid` (field 5 of /proc/<pid>/stat).
    static func groupMembers(_ pgid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { p in
            guard let stat = try? String(contentsOfFile: "/proc/\(p)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[2]) == pgid
        }
    }
}
