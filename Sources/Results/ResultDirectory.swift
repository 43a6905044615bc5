import Foundation
import SystemKit

/// One result directory, `results/<UTC timestamp>-<name>/`, and the files in it.
///
/// Every file is written with `AtomicFile`, so a reader (or a run killed mid-write) sees the
/// old version or the new one, never half of one. The runner writes `summary.json` with
/// `complete: false` as soon as the directory exists and rewrites it after each cell.
public struct ResultDirectory: Sendable, Equatable {
    public let url: URL

    public static let summaryFile = "summary.json"
    public static let samplesFile = "samples.jsonl"
    public static let cellsFile = "cells.csv"
    public static let markdownFile = "report.md"
    public static let htmlFile = "report.html"
    public static let reproduceFile = "reproduce.json"
    /// The symlink beside the result directories that points at the newest one.
    public static let latestLink = "latest"

    public init(url: URL) { self.url = url.standardizedFileURL }

    public var summaryURL: URL { url.appendingPathComponent(Self.summaryFile) }
    /// Where the runner appends its time series, one JSON object per line.
    public var samplesURL: URL { url.appendingPathComponent(Self.samplesFile) }
    public var cellsURL: URL { url.appendingPathComponent(Self.cellsFile) }
    public var markdownURL: URL { url.appendingPathComponent(Self.markdownFile) }
    public var htmlURL: URL { url.appendingPathComponent(Self.htmlFile) }
    public var reproduceURL: URL { url.appendingPathComponent(Self.reproduceFile) }

    /// `20261125T111133Z`: sorts by time, no characters a shell or URL would trip on.
    public static func timestamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: date)
    }

    /// Checks a result name: letters, digits, `.`, `_` and `-`, so it is safe as a path part.
    public static func validate(name: String) throws {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix("."),
              name.unicodeScalars.allSatisfy({ allowed.contains($0) }) else {
            throw InvalidInput("result name '\(name)' is not usable: use 1-64 letters, digits, '.', '_' or '-'")
        }
    }

    /// Creates `<root>/<timestamp>-<name>/`. An unwritable or non-directory `root` is bad
    /// input (exit 2), found before any lab is built.
    public static func create(name: String, under root: URL, at date: Date = Date()) throws -> ResultDirectory {
        try validate(name: name)
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: root.path, isDirectory: &isDir), !isDir.boolValue {
            throw InvalidInput("output directory \(root.path) is a file: give a directory with --out")
        }
        do {
            try fm.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw InvalidInput("cannot create output directory \(root.path): choose a writable --out")
        }
        guard access(root.path, W_OK) == 0 else {
            throw InvalidInput("output directory \(root.path) is not writable: choose a writable --out")
        }
        let dir = root.appendingPathComponent("\(timestamp(date))-\(name)")
        guard !fm.fileExists(atPath: dir.path) else {
            throw InvalidInput("result directory \(dir.path) exists already: wait a second or use another name")
        }
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: false)
        } catch {
            throw InvalidInput("cannot create result directory \(dir.path): choose a writable --out")
        }
        return ResultDirectory(url: dir)
    }

    /// Opens an existing result directory whose summary.json is readable: bad input otherwise.
    public static func load(from url: URL) throws -> ResultDirectory {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw ResultLoadError.missingDirectory(url.path)
        }
        if !isDir.boolValue, url.lastPathComponent == summaryFile {
            return ResultDirectory(url: url.deletingLastPathComponent())
        }
        guard isDir.boolValue else { throw ResultLoadError.notADirectory(url.path) }
        let dir = ResultDirectory(url: url.resolvingSymlinksInPath())
        guard FileManager.default.fileExists(atPath: dir.summaryURL.path) else {
            throw ResultLoadError.missingSummary(dir.url.path)
        }
        return dir
    }

    /// Reads and checks summary.json.
    public func readSummary() throws -> Summary {
        guard let data = FileManager.default.contents(atPath: summaryURL.path) else {
            throw ResultLoadError.missingSummary(url.path)
        }
        let summary: Summary
        do {
            summary = try JSONCoding.decode(Summary.self, from: data)
        } catch {
            throw ResultLoadError.unreadableSummary(summaryURL.path, Self.describe(error))
        }
        guard summary.schemaVersion == Summary.currentSchemaVersion else {
            throw ResultLoadError.unsupportedSchema(summaryURL.path, summary.schemaVersion)
        }
        return summary
    }

    public func write(summary: Summary) throws { try AtomicFile.writeJSON(summary, to: summaryURL.path) }
    public func write(reproduce: Reproduce) throws { try AtomicFile.writeJSON(reproduce, to: reproduceURL.path) }
    public func write(cellsCSV: String) throws { try AtomicFile.write(cellsCSV, to: cellsURL.path) }
    public func write(markdown: String) throws { try AtomicFile.write(markdown, to: markdownURL.path) }
    public func write(html: String) throws { try AtomicFile.write(html, to: htmlURL.path) }

    /// Points `<parent>/latest` at this directory (relative link, so the tree can move).
    /// Built as a new link renamed over the old one, so `latest` never disappears.
    public func updateLatest() throws {
        let parent = url.deletingLastPathComponent()
        let link = parent.appendingPathComponent(Self.latestLink)
        let tmp = parent.appendingPathComponent(".\(Self.latestLink).tmp-\(getpid())")
        try? FileManager.default.removeItem(at: tmp)
        guard symlink(url.lastPathComponent, tmp.path) == 0 else {
            throw RuntimeFailure("cannot create \(tmp.path): \(String(cString: strerror(errno)))")
        }
        guard rename(tmp.path, link.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw RuntimeFailure("cannot update \(link.path): \(reason); remove it if it is a directory")
        }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing \(path(ctx.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong type at \(path(ctx.codingPath))"
        case DecodingError.dataCorrupted(let ctx):
            return ctx.codingPath.isEmpty ? "not valid JSON" : "bad value at \(path(ctx.codingPath))"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// A result directory that cannot be read: always the user's input to fix, so exit 2.
public enum ResultLoadError: UserFacingError, Equatable {
    case missingDirectory(String)
    case notADirectory(String)
    case missingSummary(String)
    case unreadableSummary(String, String)
    case unsupportedSchema(String, Int)

    public var description: String {
        switch self {
        case .missingDirectory(let p): return "result directory \(p) does not exist: give a directory under results/"
        case .notADirectory(let p): return "\(p) is not a result directory: give the directory holding summary.json"
        case .missingSummary(let p): return "\(p) has no summary.json: give a directory written by lvsbench run or sweep"
        case .unreadableSummary(let p, let why):
            return "\(p) is not a valid lvsbench summary (\(why)): re-run the benchmark or restore the file"
        case .unsupportedSchema(let p, let v):
            return "\(p) has schema_version \(v), this lvsbench reads \(Summary.currentSchemaVersion): use a matching lvsbench"
        }
    }

    public var exitStatus: ExitStatus { .usage }
}
