import Foundation
import SystemKit
#if canImport(Glibc)
import Glibc
#endif

// The pseudo-terminal calls sit behind _XOPEN_SOURCE in glibc's headers, out of Swift's view.
@_silgen_name("posix_openpt") private func c_posix_openpt(_ flags: Int32) -> Int32
@_silgen_name("grantpt") private func c_grantpt(_ fd: Int32) -> Int32
@_silgen_name("unlockpt") private func c_unlockpt(_ fd: Int32) -> Int32
@_silgen_name("ptsname_r") private func c_ptsname_r(_ fd: Int32, _ buf: UnsafeMutablePointer<CChar>, _ len: Int) -> Int32

/// One `lvsbench run` under test, with stderr read as it comes so phases can be aimed at.
final class RunUnderTest {
    let pid: pid_t
    let out: String
    let startedAt = Date()
    private(set) var exitedAt = Date.distantFuture
    private let reader: StderrReader

    enum Exit: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)
        case hung
        var description: String {
            switch self {
            case .exited(let c): return "exit \(c)"
            case .signalled(let s): return "killed by signal \(s)"
            case .hung: return "still running"
            }
        }
    }

    /// The short matrix: one mode, two schedulers (two cells in one lab), a profile that
    /// changes sysctls and IPVS timeouts on every node, two reals, short windows.
    static func start(prefix: String, out: String) throws -> RunUnderTest {
        try start(["run", "--mode", "nat", "--scheduler", "rr,wrr", "--profile", "conn-churn",
                   "--reals", "2", "--duration", "1s", "--warmup", "200ms", "--out", out, "--name", "sig"],
                  prefix: prefix, out: out)
    }

    /// Any lvsbench command, with phase markers on.
    static func start(_ args: [String], prefix: String, out: String = "") throws -> RunUnderTest {
        var env = CLI.environment(prefix: prefix)
        env["LVSBENCH_PHASE_MARKERS"] = "1"
        return try RunUnderTest(argv: [CLI.path] + args, environment: env, out: out)
    }

    /// Any lvsbench command on a terminal of its own (a pseudo-terminal that is its
    /// controlling terminal, as in an ssh session): `closeStderr()` then hangs the terminal
    /// up, and the kernel itself sends SIGHUP, as when the ssh connection drops.
    static func startOnTerminal(_ args: [String], prefix: String, out: String = "") throws -> RunUnderTest {
        var env = CLI.environment(prefix: prefix)
        env["LVSBENCH_PHASE_MARKERS"] = "1"
        return try RunUnderTest(argv: [CLI.path] + args, environment: env, out: out, terminal: true)
    }

    private init(argv: [String], environment: [String: String], out: String, terminal: Bool = false) throws {
        self.out = out
        // The read end (a pipe's, or a terminal's master side) and the child's stderr.
        let readEnd: Int32
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var childEnd: Int32 = -1
        if terminal {
            readEnd = c_posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
            var buffer = [CChar](repeating: 0, count: 128)
            guard readEnd >= 0, c_grantpt(readEnd) == 0, c_unlockpt(readEnd) == 0,
                  c_ptsname_r(readEnd, &buffer, buffer.count) == 0 else {
                throw RuntimeFailure("no pseudo-terminal: \(String(cString: strerror(errno)))")
            }
            let name = String(cString: buffer)
            // A new session (POSIX_SPAWN_SETSID runs before the file actions): opening the
            // terminal then makes it the session's controlling terminal.
            posix_spawn_file_actions_addopen(&actions, 0, name, O_RDWR, 0)
            posix_spawn_file_actions_adddup2(&actions, 0, 1)
            posix_spawn_file_actions_adddup2(&actions, 0, 2)
        } else {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw RuntimeFailure("pipe: \(String(cString: strerror(errno)))") }
            readEnd = fds[0]
            childEnd = fds[1]
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
            posix_spawn_file_actions_addclose(&actions, fds[0])
            posix_spawn_file_actions_addclose(&actions, fds[1])
            // A process group of its own, as a job of a shell has.
            posix_spawnattr_setpgroup(&attr, 0)
        }
        // Default signal handling, nothing blocked, whatever this test process set.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attr, &all)
        let setsid: Int32 = 0x80   // POSIX_SPAWN_SETSID (glibc 2.26+), not in Swift's Glibc module
        posix_spawnattr_setflags(&attr, Int16((terminal ? setsid : POSIX_SPAWN_SETPGROUP)
                                              | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, cArgs, cEnv)
        if childEnd >= 0 { close(childEnd) }
        guard rc == 0 else {
            close(readEnd)
            throw RuntimeFailure("cannot start \(argv[0]): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
        reader = StderrReader(fd: readEnd)
    }

    var stderr: String { reader.text }

    /// Waits until the point's marker appeared; false when the run ended or time ran out.
    func wait(for point: InterruptPoint, timeout: Double) -> Bool {
        reader.wait(timeout: timeout) { markers in
            markers.filter(point.matches).count >= point.occurrence
        }
    }

    /// Stops reading stderr and closes it, as a terminal that hung up: the run's later
    /// writes fail (on a terminal, the kernel also sends the session SIGHUP).
    func closeStderr() { reader.hangUp() }

    func waitForExit(timeout: Double) -> Exit {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while Date() < deadline {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                exitedAt = Date()
                reader.finish()
                let signal = status & 0x7f
                return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
            }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        reader.finish()
        return .hung
    }

    /// The run's summary.json through `<out>/latest`, parsed.
    func latestSummary() -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: out + "/latest/summary.json") else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
