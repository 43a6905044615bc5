import Foundation
import SystemKit
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The interrupt suite: `lvsbench run` (one mode, two schedulers, a tuning profile, two
/// reals, 1 s windows) is stopped by SIGINT, SIGTERM and SIGHUP, and killed by SIGKILL, at
/// random points of every phase: lab build steps, tuning apply, warm-up, the window through
/// the director, the direct window and teardown. It aims at phases by the run's own phase
/// markers (`LVSBENCH_PHASE_MARKERS=1`), then waits a random delay inside the phase, so no
/// point depends on a guess of how long the steps before it take.
///
/// After each signal: the signal's exit code, nothing of the lab left on the host, the
/// host's net.* sysctls byte-identical, the partial result present and marked incomplete.
/// After each SIGKILL, `lab down --all` must get to the same zero.
///
/// The points are drawn from a seed printed at the start; `LVSBENCH_INTERRUPT_SEED=<n>`
/// replays one. `LVSBENCH_INTERRUPT_TRIALS=<n>` runs fewer signal trials while debugging.
final class InterruptSuiteTests: XCTestCase {
    /// Namespace prefix: the caller's own (an isolated session) plus "Sg", else "lvsSg".
    static let prefix = (ProcessInfo.processInfo.environment["LVSBENCH_PREFIX"] ?? "lvs") + "Sg"
    var root: URL!

    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lvsbench-sig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        downAll()
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
        if Privileges.isRoot {
            downAll()
            CLI.removeRunDirectory(prefix: Self.prefix)
        }
    }

    func testSignalsAtEveryPhaseExitWithTheirCodeAndLeaveNothing() throws {
        var rng = SeededGenerator(seed: Self.seed(for: "signals"))
        let trials = Int(ProcessInfo.processInfo.environment["LVSBENCH_INTERRUPT_TRIALS"] ?? "") ?? 33
        let points = Array(InterruptPoint.spread(count: trials).shuffled(using: &rng))
        var signals = (0..<trials).map { [SIGINT, SIGTERM, SIGHUP][$0 % 3] }
        signals.shuffle(using: &rng)
        let check = HostCheck(prefix: Self.prefix)
        let started = Date()
        var tally: [String: Int] = [:]
        var late = 0
        for (i, point) in points.enumerated() {
            let signal = signals[i]
            let delay = point.delay(using: &rng)
            // SIGHUP as a dropped ssh session: half the time stderr goes away first, so every
            // later write of the run fails (EPIPE) as it would on a hung-up terminal.
            // (Not at teardown: a signal there may come after the run's last step, which only
            // its stderr tells.)
            let hangUp = signal == SIGHUP && point.phase != "teardown" && Bool.random(using: &rng)
            let again = signal != SIGHUP && Int.random(in: 0..<3, using: &rng) == 0
            let againDelay = Double.random(in: 0.05...0.4, using: &rng)
            let label = "trial \(i + 1)/\(trials) \(SignalTrap.name(of: signal)) at \(point) +\(Self.ms(delay))"
                + (hangUp ? ", stderr closed first" : "") + (again ? ", again after \(Self.ms(againDelay))" : "")
            let run = try RunUnderTest.start(prefix: Self.prefix, out: root.appendingPathComponent("t\(i + 1)").path)
            let reached = run.wait(for: point, timeout: 120)
            XCTAssertTrue(reached, "\(label): the run never reached the phase\n\(run.stderr)")
            Thread.sleep(forTimeInterval: delay)
            if hangUp { run.closeStderr() }
            kill(run.pid, signal)
            var secondSentAt: Date?
            if again {
                Thread.sleep(forTimeInterval: againDelay)
                if HostLeftovers.isAlive(run.pid) && kill(run.pid, signal) == 0 { secondSentAt = Date() }
            }
            let exit = run.waitForExit(timeout: 180)
            let seconds = Date().timeIntervalSince(run.startedAt)
            print("\(label): \(exit) after \(String(format: "%.1f", seconds)) s")
            XCTAssertEqual(check.leftovers(), [], label)
            XCTAssertEqual(check.sysctlChanges(), [], label)
            let summary = run.latestSummary()
            XCTAssertNotNil(summary, "\(label): no summary.json under \(run.out)/latest")
            defer { check.clean() }
            // A signal at teardown can land after the run's last step (its "done" marker): the
            // run then rightly ends complete, with 0. Anything else must be an interruption.
            if exit == .exited(0) && point.phase == "teardown" && run.stderr.contains("lvsbench-phase: done") {
                late += 1
                XCTAssertEqual(summary?["complete"] as? Bool, true, "\(label): a finished run is complete")
                continue
            }
            tally["\(SignalTrap.name(of: signal)) \(point.phase)", default: 0] += 1
            XCTAssertEqual(exit, .exited(ExitStatus.interrupted(by: signal).rawValue), "\(label)\n\(run.stderr)")
            XCTAssertEqual(summary?["complete"] as? Bool, false, "\(label): the result is not marked incomplete")
            if !hangUp {
                XCTAssertTrue(run.stderr.contains("interrupted by \(SignalTrap.name(of: signal)): cleaned up"),
                              "\(label): \(run.stderr)")
                // The notice is written by the signal handler at once; a run that was still
                // going a moment later must have printed it.
                if let secondSentAt, run.exitedAt.timeIntervalSince(secondSentAt) > 0.2 {
                    XCTAssertTrue(run.stderr.contains("still cleaning up; this signal is ignored"), "\(label): \(run.stderr)")
                }
            }
        }
        print("interrupt suite: \(trials) signal trials (\(late) signalled after the run's last step) in "
              + "\(Int(Date().timeIntervalSince(started))) s: "
              + tally.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        // The issue asks for 30 interrupted points; a late signal or two must not eat into them.
        if trials >= 33 { XCTAssertGreaterThanOrEqual(trials - late, 30, "too many signals came after the run ended") }
    }

    func testSIGKILLAtRandomPointsThenDownAllLeavesNothing() throws {
        var rng = SeededGenerator(seed: Self.seed(for: "sigkill"))
        let trials = max(10, (Int(ProcessInfo.processInfo.environment["LVSBENCH_INTERRUPT_TRIALS"] ?? "") ?? 33) / 3)
        let points = Array(InterruptPoint.spread(count: 33).shuffled(using: &rng).prefix(trials))
        let check = HostCheck(prefix: Self.prefix)
        let started = Date()
        for (i, point) in points.enumerated() {
            let delay = point.delay(using: &rng)
            let label = "kill \(i + 1)/\(trials) SIGKILL at \(point) +\(Self.ms(delay))"
            let run = try RunUnderTest.start(prefix: Self.prefix, out: root.appendingPathComponent("k\(i + 1)").path)
            XCTAssertTrue(run.wait(for: point, timeout: 120), "\(label): the run never reached the phase\n\(run.stderr)")
            Thread.sleep(forTimeInterval: delay)
            kill(run.pid, SIGKILL)
            let exit = run.waitForExit(timeout: 30)
            let before = check.leftoversCheck.find()
            if exit == .exited(0) && point.phase == "teardown" && run.stderr.contains("lvsbench-phase: done") {
                print("\(label): the run had finished")
            } else {
                XCTAssertEqual(exit, .signalled(SIGKILL), label)
                // The checker sees what a killed run leaves (the first step may have built nothing
                // yet, a teardown may have removed it all already).
                if point.detail != "nat lab" && point.phase != "teardown" { XCTAssertFalse(before.isEmpty, "\(label): the killed run had built nothing?") }
            }
            let down = try CLI.run(["lab", "down", "--all"], prefix: Self.prefix, timeout: 120)
            print("\(label): \(before.count) things left, lab down --all exited \(down.status) after \(String(format: "%.1f", Date().timeIntervalSince(run.startedAt))) s")
            XCTAssertEqual(down.status, 0, "\(label): \(down.stderr)")
            XCTAssertEqual(check.leftovers(), [], label)
            XCTAssertEqual(check.sysctlChanges(), [], label)
            check.clean()
        }
        print("interrupt suite: \(trials) SIGKILL trials in \(Int(Date().timeIntervalSince(started))) s")
    }

    /// The other long commands trap the same signals: a sweep (SIGHUP with stderr gone, in
    /// its window), a run whose terminal hangs up, `lab up` (SIGTERM while it builds),
    /// `collect` (SIGHUP) and `tune apply` (SIGTERM, which rolls back whatever it wrote).
    func testSweepLabUpCollectAndTuneApplyStopTheSameWay() throws {
        var rng = SeededGenerator(seed: Self.seed(for: "other commands"))
        let check = HostCheck(prefix: Self.prefix)

        let out = root.appendingPathComponent("sweep").path
        let sweep = try RunUnderTest.start(["sweep", "--mode", "nat", "--reals", "1,2", "--real-rate", "400KB/s",
                                            "--duration", "1s", "--warmup", "200ms", "--out", out, "--name", "sw"],
                                           prefix: Self.prefix, out: out)
        let window = InterruptPoint(phase: "window", occurrence: Int.random(in: 1...2, using: &rng), maxDelay: 0.8)
        XCTAssertTrue(sweep.wait(for: window, timeout: 120), "sweep never reached \(window)\n\(sweep.stderr)")
        Thread.sleep(forTimeInterval: window.delay(using: &rng))
        sweep.closeStderr()
        kill(sweep.pid, SIGHUP)
        XCTAssertEqual(sweep.waitForExit(timeout: 120), .exited(ExitStatus.hangup.rawValue), "sweep at \(window)")
        XCTAssertEqual(check.leftovers(), [], "sweep")
        XCTAssertEqual(check.sysctlChanges(), [], "sweep")
        XCTAssertEqual(sweep.latestSummary()?["complete"] as? Bool, false, "the sweep's result is marked incomplete")

        // A run on a terminal that hangs up (the ssh session drops): no kill, the kernel's SIGHUP.
        let ptyOut = root.appendingPathComponent("pty").path
        let onTerminal = try RunUnderTest.startOnTerminal(
            ["run", "--mode", "nat", "--scheduler", "rr", "--reals", "2", "--duration", "1s", "--warmup", "200ms",
             "--out", ptyOut, "--name", "pty"], prefix: Self.prefix, out: ptyOut)
        let ptyPoint = [InterruptPoint(phase: "warm-up", maxDelay: 1.5), InterruptPoint(phase: "window", maxDelay: 1),
                        InterruptPoint(phase: "build", detail: "booting", maxDelay: 2)].randomElement(using: &rng)!
        XCTAssertTrue(onTerminal.wait(for: ptyPoint, timeout: 120), "never reached \(ptyPoint)\n\(onTerminal.stderr)")
        XCTAssertTrue(onTerminal.stderr.contains("cell 1/1") || ptyPoint.phase == "build",
                      "progress lines go to the terminal: \(onTerminal.stderr)")
        Thread.sleep(forTimeInterval: ptyPoint.delay(using: &rng))
        onTerminal.closeStderr()
        XCTAssertEqual(onTerminal.waitForExit(timeout: 120), .exited(ExitStatus.hangup.rawValue), "hang-up at \(ptyPoint)")
        XCTAssertEqual(check.leftovers(), [], "terminal hang-up")
        XCTAssertEqual(check.sysctlChanges(), [], "terminal hang-up")
        XCTAssertEqual(onTerminal.latestSummary()?["complete"] as? Bool, false, "hang-up: the result is marked incomplete")

        // lab up: once its namespaces exist, a delay that lands anywhere up to the guest's boot.
        let up = try RunUnderTest.start(["lab", "up", "--name", "sigup", "--mode", "nat", "--reals", "2"], prefix: Self.prefix)
        let lastNamespace = "/run/netns/\(Self.prefix)-sigup-real2"
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: lastNamespace) && Date() < deadline { usleep(20_000) }
        let upDelay = Double.random(in: 0...3, using: &rng)
        Thread.sleep(forTimeInterval: upDelay)
        kill(up.pid, SIGTERM)
        XCTAssertEqual(up.waitForExit(timeout: 120), .exited(ExitStatus.terminated.rawValue),
                       "lab up, SIGTERM \(Self.ms(upDelay)) after its namespaces: \(up.stderr)")
        XCTAssertTrue(up.stderr.contains("interrupted by SIGTERM: cleaned up"), up.stderr)
        XCTAssertEqual(check.leftovers(), [], "lab up")

        // collect and tune apply on a lab that stays up.
        let made = try CLI.run(["lab", "up", "--name", "sigc", "--mode", "nat", "--reals", "2"], prefix: Self.prefix, timeout: 180)
        XCTAssertEqual(made.status, 0, made.stderr)
        let series = root.appendingPathComponent("collect.jsonl").path
        let collect = try RunUnderTest.start(["collect", "--name", "sigc", "--duration", "60s", "--no-capture",
                                              "--out", series], prefix: Self.prefix)
        Thread.sleep(forTimeInterval: Double.random(in: 1.5...2.5, using: &rng))
        kill(collect.pid, SIGHUP)
        XCTAssertEqual(collect.waitForExit(timeout: 60), .exited(ExitStatus.hangup.rawValue), collect.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: series), "collect writes what it sampled when stopped")

        let apply = try RunUnderTest.start(["tune", "apply", "conn-churn", "--name", "sigc"], prefix: Self.prefix)
        let applyDelay = Double.random(in: 0.05...0.35, using: &rng)
        Thread.sleep(forTimeInterval: applyDelay)
        kill(apply.pid, SIGTERM)
        let applied = apply.waitForExit(timeout: 60)
        let undoLog = CLI.runDirectory(prefix: Self.prefix) + "/labs/sigc/tuning.json"
        if applied == .exited(0) {
            // The signal came after the last write: the tuning stands, recorded for undo.
            XCTAssertTrue(FileManager.default.fileExists(atPath: undoLog), "tune apply finished: \(apply.stderr)")
        } else {
            XCTAssertEqual(applied, .exited(ExitStatus.terminated.rawValue), apply.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: undoLog), "interrupted tune apply rolled back: \(apply.stderr)")
        }
        print("tune apply, SIGTERM after \(Self.ms(applyDelay)): \(applied)")
        // lab down is the cleanup itself: a Ctrl-C once it trapped the signal (its handler
        // shows in /proc) is ignored with a notice, and the lab still goes entirely.
        let down = try RunUnderTest.start(["lab", "down", "--name", "sigc"], prefix: Self.prefix)
        let downDeadline = Date().addingTimeInterval(60)
        while !Self.catches(down.pid, SIGINT) && HostLeftovers.isAlive(down.pid) && Date() < downDeadline { usleep(1_000) }
        let alive = HostLeftovers.isAlive(down.pid)
        kill(down.pid, SIGINT)
        let sentAt = Date()
        XCTAssertEqual(down.waitForExit(timeout: 120), .exited(0), down.stderr)
        // The handler writes the notice at once; a lab down still going a moment later printed it.
        if alive && down.exitedAt.timeIntervalSince(sentAt) > 0.1 {
            XCTAssertTrue(down.stderr.contains("still cleaning up; this signal is ignored"), down.stderr)
        }
        print("lab down, SIGINT once trapped: exited \(String(format: "%.2f", down.exitedAt.timeIntervalSince(sentAt))) s later")
        XCTAssertEqual(check.leftovers(), [], "lab down after collect and tune apply")
        XCTAssertEqual(check.sysctlChanges(), [], "lab down after collect and tune apply")
    }

    /// Whether `pid` has a handler for `signal` (SigCgt in /proc/<pid>/status).
    static func catches(_ pid: pid_t, _ signal: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
              let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return false }
        return mask & (1 << UInt64(signal - 1)) != 0
    }

    /// The seed of this run, printed so a failure can be replayed.
    static func seed(for suite: String) -> UInt64 {
        let seed = ProcessInfo.processInfo.environment["LVSBENCH_INTERRUPT_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...999_999)
        print("interrupt suite (\(suite)): seed \(seed); replay with LVSBENCH_INTERRUPT_SEED=\(seed)")
        return seed
    }

    static func ms(_ seconds: Double) -> String { "\(Int((seconds * 1000).rounded())) ms" }

    func downAll() {
        _ = try? CLI.run(["lab", "down", "--all"], prefix: Self.prefix, timeout: 120)
    }
}

/// Where in a run a signal lands: the `occurrence`-th marker of `phase` whose detail starts
/// with `detail`, then a random delay shorter than the phase usually lasts.
struct InterruptPoint: CustomStringConvertible {
    var phase: String
    var detail: String = ""
    var occurrence: Int = 1
    /// Delays are drawn from 0...maxDelay seconds.
    var maxDelay: Double

    var description: String {
        "\(phase)\(detail.isEmpty ? "" : " '\(detail)'")\(occurrence > 1 ? " #\(occurrence)" : "")"
    }

    func delay<G: RandomNumberGenerator>(using rng: inout G) -> Double {
        Double.random(in: 0...maxDelay, using: &rng)
    }

    func matches(_ marker: (phase: String, detail: String)) -> Bool {
        marker.phase == phase && marker.detail.hasPrefix(detail)
    }

    /// `count` points spread over every phase, in an order whose every prefix is spread too:
    /// of 33, 11 in the lab build's steps, 5 in tuning, 5 in warm-up, 4 in the window through
    /// the director, 3 in the direct window, 5 in teardown (both cells where a phase repeats).
    static func spread(count: Int) -> [InterruptPoint] {
        let kinds: [InterruptPoint] = [
            InterruptPoint(phase: "build", detail: "booting", maxDelay: 3),
            InterruptPoint(phase: "tuning", maxDelay: 0.8),
            InterruptPoint(phase: "warm-up", maxDelay: 1.5),
            InterruptPoint(phase: "window", maxDelay: 1.2),
            InterruptPoint(phase: "teardown", maxDelay: 0.3),
            InterruptPoint(phase: "build", detail: "creating", maxDelay: 0.3),
            InterruptPoint(phase: "direct", maxDelay: 1.5),
            InterruptPoint(phase: "build", detail: "waiting for the VIP", maxDelay: 0.3),
            InterruptPoint(phase: "tuning", maxDelay: 0.3),
            InterruptPoint(phase: "warm-up", occurrence: 2, maxDelay: 1.5),
            InterruptPoint(phase: "build", detail: "configuring IPVS", maxDelay: 0.5),
            InterruptPoint(phase: "teardown", maxDelay: 0.1),
            InterruptPoint(phase: "window", occurrence: 2, maxDelay: 1.2),
            InterruptPoint(phase: "build", detail: "nat lab", maxDelay: 0.1),
            InterruptPoint(phase: "tuning", maxDelay: 1.2),
            InterruptPoint(phase: "build", detail: "booting", maxDelay: 1),
            InterruptPoint(phase: "direct", occurrence: 2, maxDelay: 1.5),
            InterruptPoint(phase: "warm-up", maxDelay: 0.3),
            InterruptPoint(phase: "build", detail: "starting nginx", maxDelay: 0.1),
            InterruptPoint(phase: "teardown", maxDelay: 0.35),
            InterruptPoint(phase: "window", maxDelay: 0.5),
            InterruptPoint(phase: "build", detail: "configuring addresses", maxDelay: 0.1),
            InterruptPoint(phase: "tuning", maxDelay: 0.1),
            InterruptPoint(phase: "warm-up", occurrence: 2, maxDelay: 0.5),
            InterruptPoint(phase: "build", detail: "waiting for the VIP", maxDelay: 0.1),
            InterruptPoint(phase: "teardown", maxDelay: 0.2),
            InterruptPoint(phase: "direct", maxDelay: 0.5),
            InterruptPoint(phase: "build", detail: "booting", maxDelay: 2),
            InterruptPoint(phase: "window", occurrence: 2, maxDelay: 0.5),
            InterruptPoint(phase: "tuning", maxDelay: 0.5),
            InterruptPoint(phase: "build", detail: "creating", maxDelay: 0.1),
            InterruptPoint(phase: "warm-up", maxDelay: 1),
            InterruptPoint(phase: "teardown", maxDelay: 0.05),
        ]
        return (0..<count).map { kinds[$0 % kinds.count] }
    }
}

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

/// Reads a child's stderr on a thread of its own, keeping the text and the phase markers.
final class StderrReader: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSCondition()
    private var buffer = Data()
    private var stopped = false
    private var closeRequested = false
    private var markersSeen: [(phase: String, detail: String)] = []
    private var thread: Thread!

    init(fd: Int32) {
        self.fd = fd
        thread = Thread { [self] in loop() }
        thread.start()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: buffer, as: UTF8.self)
    }

    private func loop() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            lock.lock()
            if closeRequested {
                close(fd)
                stopped = true
                lock.broadcast()
                lock.unlock()
                return
            }
            lock.unlock()
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) >= 0 || errno == EINTR else { break }
            guard p.revents != 0 else { continue }
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            lock.lock()
            buffer.append(contentsOf: chunk[0..<n])
            markersSeen = Self.markers(in: buffer)
            lock.broadcast()
            lock.unlock()
        }
        lock.lock()
        close(fd)
        stopped = true
        lock.broadcast()
        lock.unlock()
    }

    static func markers(in data: Data) -> [(phase: String, detail: String)] {
        String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).compactMap { line in
            guard let r = line.range(of: "lvsbench-phase: ") else { return nil }
            let rest = line[r.upperBound...]
            let phase = rest.prefix { $0 != " " }
            return (String(phase), String(rest.dropFirst(phase.count).drop { $0 == " " }))
        }
    }

    func wait(timeout: Double, until done: ([(phase: String, detail: String)]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while !done(markersSeen) {
            if stopped || !lock.wait(until: deadline) { return done(markersSeen) }
        }
        return true
    }

    func hangUp() {
        lock.lock()
        closeRequested = true
        while !stopped { lock.wait() }
        lock.unlock()
    }

    /// Waits for the reader to see the end of the stream (the child exited).
    func finish() {
        lock.lock()
        let deadline = Date().addingTimeInterval(10)
        while !stopped && lock.wait(until: deadline) {}
        lock.unlock()
    }
}

/// The host checks of one suite: leftovers of the prefix and the net.* sysctls against a
/// snapshot taken before the first trial.
final class HostCheck {
    let prefix: String
    let leftoversCheck: HostLeftovers
    let sysctls: HostSysctls

    init(prefix: String) {
        self.prefix = prefix
        leftoversCheck = HostLeftovers(prefix: prefix, runDirectory: CLI.runDirectory(prefix: prefix))
        sysctls = HostSysctls.snapshot()
    }

    func leftovers() -> [String] {
        // An exited UML guest is a zombie until init reaps it; give that a moment.
        var found = leftoversCheck.find()
        let deadline = Date().addingTimeInterval(5)
        while !found.isEmpty && Date() < deadline {
            usleep(200_000)
            found = leftoversCheck.find()
        }
        return found
    }

    func sysctlChanges() -> [String] { sysctls.differences(to: HostSysctls.snapshot()) }

    /// After a failed check, removes what is left so the next trial starts clean.
    func clean() {
        guard !leftoversCheck.find().isEmpty else { return }
        _ = try? CLI.run(["lab", "down", "--all"], prefix: prefix, timeout: 120)
    }
}

/// A small deterministic generator (SplitMix64), so a seed replays the same points.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
