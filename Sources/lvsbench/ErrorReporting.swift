import ArgumentParser
import Foundation
import SystemKit

/// Turns library errors into the CLI's contract: one line on stderr, a meaningful exit code.
enum ErrorReporting {
    static func exit(for error: Error) -> ExitCode {
        if let e = error as? UserFacingError {
            Console.error("lvsbench: \(e.description)\n")
            return ExitCode(code(for: e.exitStatus).rawValue)
        }
        Console.error("lvsbench: \(error)\n")
        return ExitCode(ExitStatus.failure.rawValue)
    }

    /// An interruption exits with the code of the signal that caused it (130 SIGINT,
    /// 143 SIGTERM, 129 SIGHUP), whichever library reported it.
    static func code(for status: ExitStatus) -> ExitStatus {
        guard status == .interrupted, let signal = SignalTrap.signal else { return status }
        return ExitStatus.interrupted(by: signal)
    }
}

extension ParsableCommand {
    /// Runs `body`, mapping any thrown error to a one-line message and the exit code its
    /// kind stands for (2 for bad input, 1 for failures, 128 + the signal when interrupted).
    func reportingErrors(_ body: () throws -> Void) throws {
        do { try body() } catch let e as ExitCode { throw e } catch let e as CleanExit { throw e } catch {
            throw ErrorReporting.exit(for: error)
        }
    }
}
