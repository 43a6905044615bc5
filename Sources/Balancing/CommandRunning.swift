import SystemKit

/// Where a balancer's commands run: a lab node (namespace or guest), or any stand-in.
public protocol CommandRunning: Sendable {
    /// Runs argv and captures its output.
    func run(_ argv: [String], timeout: Double?) throws -> ProcessResult
}

extension CommandRunning {
    /// Runs argv; a non-zero exit throws `CommandFailed`.
    @discardableResult
    public func check(_ argv: [String], timeout: Double? = 30) throws -> ProcessResult {
        let result = try run(argv, timeout: timeout)
        guard result.succeeded else { throw CommandFailed(argv: argv, result: result) }
        return result
    }
}
