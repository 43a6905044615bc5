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
    static let prefix = TestPrefix.named("Sg")
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
        var rng = SplitMix64(seed: Self.seed(for: "signals"))
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
        var rng = SplitMix64(seed: Self.seed(for: "sigkill"))
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
        var rng = SplitMix64(seed: Self.seed(for: "other commands"))
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
