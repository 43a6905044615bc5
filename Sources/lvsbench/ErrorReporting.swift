import ArgumentParser
import Foundation
import SystemKit

/// Turns library errors into the CLI's contract: one line on stderr, a meaningful exit code.
enum ErrorReporting {
    static func exit(for error: Error) -> ExitCode {
        if let e = error as? UserFacingError {
            FileHandle.standardError.write(Data("lvsbench: \(e.description)\n".utf8))
            return ExitCode(e.exitStatus.rawValue)
        }
        FileHandle.standardError.write(Data("lvsbench: \(error)\n".utf8))
        return ExitCode(ExitStatus.failure.rawValue)
    }
}

extension ParsableCommand {
    /// Runs `body`, mapping any thrown error to a one-line message and the exit code its
    /// kind stands for (2 for bad input, 1 for failures).
    func reportingErrors(_ body: () throws -> Void) throws {
        do { try body() } catch let e as ExitCode { throw e } catch let e as CleanExit { throw e } catch {
            throw ErrorReporting.exit(for: error)
        }
    }
}
