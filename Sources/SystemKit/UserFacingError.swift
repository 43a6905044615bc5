import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Exit codes shared by every lvsbench command, so scripts can tell failure kinds apart.
public enum ExitStatus: Int32, Sendable {
    /// The command did what was asked.
    case success = 0
    /// The command ran but the thing it measured or managed failed (a lab that did not
    /// come up, a regression found by `compare`).
    case failure = 1
    /// The user must change something before trying again: bad input, a missing tool,
    /// missing privileges, a name already in use.
    case usage = 2
    /// Interrupted by SIGHUP (the terminal went away, e.g. a dropped ssh session); cleanup ran.
    case hangup = 129
    /// Interrupted by SIGINT (Ctrl-C); cleanup ran.
    case interrupted = 130
    /// Interrupted by SIGTERM; cleanup ran.
    case terminated = 143

    /// The code for an interruption by `signal`: 128 + its number, as a shell reports a
    /// process the signal killed (SIGINT is 130), so scripts see the same either way.
    public static func interrupted(by signal: Int32) -> ExitStatus {
        switch signal {
        case SIGHUP: return .hangup
        case SIGTERM: return .terminated
        default: return .interrupted
        }
    }
}

/// An error whose `description` is a single line telling the user what is wrong and how to
/// fix it. The CLI prints `lvsbench: <description>` and exits with `exitStatus`.
public protocol UserFacingError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}

/// Bad input detected before anything was changed on the host.
public struct InvalidInput: UserFacingError, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var exitStatus: ExitStatus { .usage }
}

/// Something failed at run time; `message` names the step and the cause.
public struct RuntimeFailure: UserFacingError, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var exitStatus: ExitStatus { .failure }
}
