import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished child process left behind.
public struct ProcessResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var succeeded: Bool { status == 0 }

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// A command that exited non-zero; carries its argv and the last line of its stderr so the
/// user sees which tool said what.
public struct CommandFailed: UserFacingError, Equatable {
    public let argv: [String]
    public let result: ProcessResult
    public init(argv: [String], result: ProcessResult) {
        self.argv = argv
        self.result = result
    }
    public var description: String {
        let reason = result.stderr.split(separator: "\n").last.map(String.init)
            ?? result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return "`\(argv.joined(separator: " "))` exited \(result.status)\(reason.isEmpty ? "" : ": \(reason)")"
    }
    public var exitStatus: ExitStatus { .failure }
}

/// A run that `ProcessRunner.supervise` watched: what the program left, and whether the
/// supervisor ended it (SIGTERM when asked to stop, SIGKILL at the timeout).
public struct SupervisedRun: Sendable, Equatable {
    /// Status 124 when the timeout killed the program.
    public var result: ProcessResult
    /// The program still ran at the timeout and was killed.
    public var timedOut: Bool
    /// `stopWhen` turned true while the program ran, and it was sent SIGTERM.
    public var stopped: Bool
}

/// Runs external programs (ip, ipvsadm, tc, nginx, ...) by argv, never through a shell, so
/// that no lab name or path is ever interpreted as shell syntax.
public enum ProcessRunner {
    /// Runs `argv` to completion and captures its output. `argv[0]` may be a bare name,
    /// looked up in `PATH` (with /usr/sbin and /sbin added, where Debian keeps ip and ipvsadm).
    /// A process still running after `timeout` seconds is killed and reported with status 124.
    @discardableResult
    public static func run(_ argv: [String], input: Data? = nil, timeout: Double? = nil,
                           environment: [String: String]? = nil) throws -> ProcessResult {
        try supervise(argv, input: input, timeout: timeout, environment: environment).result
    }

    /// Like `run`, and while the program runs also polls `stopWhen`: the first time it turns
    /// true the program is sent SIGTERM (once), and is still waited for, up to `timeout`. For
    /// long children (the load generator) that Ctrl-C must stop at once, not at their end.
    public static func supervise(_ argv: [String], input: Data? = nil, timeout: Double? = nil,
                                 environment: [String: String]? = nil,
                                 stopWhen: (() -> Bool)? = nil) throws -> SupervisedRun {
        precondition(!argv.isEmpty, "empty argv")
        let process = Process()
        process.executableURL = try ToolLocator.url(for: argv[0])
        process.arguments = Array(argv.dropFirst())
        if let environment { process.environment = environment }
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let inPipe: Pipe? = input == nil ? nil : Pipe()
        process.standardInput = inPipe ?? FileHandle.nullDevice
        try process.run()
        if let inPipe, let input {
            DispatchQueue.global().async {
                inPipe.fileHandleForWriting.write(input)
                try? inPipe.fileHandleForWriting.close()
            }
        }
        let outData = PipeDrain(outPipe.fileHandleForReading)
        let errData = PipeDrain(errPipe.fileHandleForReading)
        var timedOut = false, stopped = false
        if timeout != nil || stopWhen != nil {
            let deadline = timeout.map { Date().addingTimeInterval($0) }
            while process.isRunning && deadline.map({ Date() < $0 }) ?? true {
                if !stopped, let stopWhen, stopWhen() {
                    kill(process.processIdentifier, SIGTERM)
                    stopped = true
                }
                usleep(2_000)
            }
            if process.isRunning {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
            }
        }
        process.waitUntilExit()
        let status: Int32 = timedOut ? 124 : process.terminationStatus
        let result = ProcessResult(status: status,
                                   stdout: String(decoding: outData.wait(), as: UTF8.self),
                                   stderr: String(decoding: errData.wait(), as: UTF8.self))
        return SupervisedRun(result: result, timedOut: timedOut, stopped: stopped)
    }

    /// Like `run`, but a non-zero exit throws `CommandFailed`.
    @discardableResult
    public static func check(_ argv: [String], input: Data? = nil, timeout: Double? = nil) throws -> ProcessResult {
        let result = try run(argv, input: input, timeout: timeout)
        guard result.succeeded else { throw CommandFailed(argv: argv, result: result) }
        return result
    }

    /// Runs `argv` with this process's stdin, stdout and stderr, and returns its exit status
    /// (128+signal if it was killed), so a wrapper like `lab exec` passes everything through.
    public static func passthrough(_ argv: [String]) throws -> Int32 {
        precondition(!argv.isEmpty, "empty argv")
        let process = Process()
        process.executableURL = try ToolLocator.url(for: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.standardInput = FileHandle.standardInput
        process.standardOutput = FileHandle.standardOutput
        process.standardError = FileHandle.standardError
        try process.run()
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal { return 128 + process.terminationStatus }
        return process.terminationStatus
    }
}

/// Reads a pipe to its end on a thread of its own, so a child that fills its stderr while
/// we read its stdout (or the other way round) cannot block on a full pipe.
private final class PipeDrain: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    /// Everything the pipe delivered; waits for its writer to close it.
    func wait() -> Data {
        done.wait()
        return data
    }
}
