import ArgumentParser
import Foundation
import SystemKit
import Vocabulary

/// Option values reach the commands typed: ArgumentParser runs these transforms, which call
/// the vocabulary's parsers, once, while it parses the command line.
///
/// ArgumentParser reports whatever a transform throws inside its own usage text, with exit
/// 64, and keeps the thrown error to itself; lvsbench promises the library's one line and
/// exit 2 for bad input. So a transform also keeps the first error it throws here, and
/// `LVSBench.main` reports that error instead of ArgumentParser's text. A command's
/// `validate()`, which checks the values against each other, keeps its error the same way
/// (`checked`).
enum OptionValue {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var kept: (any UserFacingError)?

    /// The first value a transform rejected in this process, if any.
    static var rejection: (any UserFacingError)? { lock.withLock { kept } }

    /// A transform for `@Option(transform:)` that converts with `parse` and keeps its error.
    static func parsed<T>(_ parse: @escaping (String) throws -> T) -> (String) throws -> T {
        { text in
            do { return try parse(text) } catch let error as any UserFacingError {
                keep(error)
                throw error
            }
        }
    }

    /// Runs a `validate()` check and keeps its error like a transform's.
    static func checked(_ check: () throws -> Void) throws {
        do { try check() } catch let error as any UserFacingError {
            keep(error)
            throw error
        }
    }

    private static func keep(_ error: any UserFacingError) {
        lock.withLock { if kept == nil { kept = error } }
    }

    /// A transform for a comma list (`--mode nat,dr`): every entry parsed, no empty entry,
    /// repeats dropped.
    static func list<T: Equatable>(_ option: String, _ parse: @escaping (String) throws -> T) -> (String) throws -> [T] {
        parsed { try ListOption.parse($0, option: option, parse) }
    }
}
