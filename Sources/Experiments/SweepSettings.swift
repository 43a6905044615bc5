import Foundation
import LoadGen
import SystemKit
import Vocabulary

/// How each real's capacity is capped during a sweep, so that total throughput grows with
/// the number of reals until the director, not the reals, is the limit.
public enum RealCap: Codable, Equatable, Sendable {
    /// Bytes per second leaving each real (tc tbf on the real's links).
    case bytesPerSecond(Int)
    /// Requests per second each real answers: the same token bucket, at this rate times
    /// the bytes one response takes on the real's link (measured in the lab before the
    /// first point), so the limit sits at the real and costs the director nothing.
    case requestsPerSecond(Int)
}

/// A validated sweep. The lab of each mode is built once with `maxReals` and points take
/// reals in and out of the service.
public struct SweepSettings: Codable, Equatable, Sendable {
    public var modes: [LabMode]
    public var realCounts: [Int]
    public var cap: RealCap
    public var connections: Int?
    public var duration: Double
    public var warmup: Double
    public var outDir: String
    public var name: String
    /// Keep-alive requests, or a new connection per request (where IPVS schedules).
    public var load: LoadKind = .http

    /// Loads a sweep can run: the reals are capped by their HTTP responses.
    public static let loads: [LoadKind] = [.http, .httpClose]

    public var maxReals: Int { realCounts.max() ?? 1 }

    /// The LVS paper's example: a real server delivering 400 KB/s.
    public static let defaultRealRate = 400 * 1024
    public static let defaultRealCounts = [1, 2, 4, 8, 12, 16, 20, 24, 32]

    /// Connections the generator keeps open at a point: enough that every real has a few
    /// outstanding requests, so a capped real is always busy.
    public func connections(forReals n: Int) -> Int { connections ?? Swift.max(16, 4 * n) }

    /// One entry of `--reals`: a count of reals a point measures.
    public static func realCount(_ text: String) throws -> Int {
        guard let n = Int(text), (1...RunSettings.maxReals).contains(n) else {
            throw InvalidInput("--reals entry '\(text)' is not a count of 1 to \(RunSettings.maxReals)")
        }
        return n
    }

    /// `--real-rate`: bytes per second each real may send.
    public static func realRate(_ text: String) throws -> Int {
        try Quantities.byteRate(text, what: "--real-rate")
    }

    /// `--load`: only the loads whose responses the reals' caps limit.
    public static func load(_ text: String) throws -> LoadKind {
        guard let kind = try? LoadKind(parsing: text), loads.contains(kind) else {
            throw InvalidInput("--load '\(text)' is not a sweep load: use http or http-close")
        }
        return kind
    }

    /// The output directory is writable: what only the host can tell, checked by
    /// `SweepSession.run` before anything is created (see `RunSettings.checkHost`).
    public func checkHost() throws {
        try OutputLocation.checkWritable(outDir, option: "--out")
    }
}

/// In an extension, so that the memberwise initializer (settings as they are, for plans and
/// tests) stays.
extension SweepSettings {
    /// The settings of `lvsbench sweep`'s options, typed as the options parse them
    /// (`realCount`, `realRate`, `load`, durations in seconds); nil means "the default".
    /// Throws the option's one-line message for a value out of range or not fitting the others.
    public init(modes: [LabMode]? = nil, reals: [Int]? = nil, realRate: Int? = nil, realRPS: Int? = nil,
                connections: Int? = nil, duration: Double? = nil, warmup: Double? = nil, load: LoadKind? = nil,
                outDir: String? = nil, name: String? = nil) throws {
        let cap: RealCap
        switch (realRate, realRPS) {
        case (.some, .some):
            throw InvalidInput("--real-rate and --real-rps both given: cap the reals one way, not both")
        case (.some(let rate), nil):
            cap = .bytesPerSecond(rate)
        case (nil, .some(let rps)):
            try Quantities.checkCount(rps, what: "--real-rps", range: 1...Int(Quantities.maxRate))
            cap = .requestsPerSecond(rps)
        case (nil, nil):
            cap = .bytesPerSecond(Self.defaultRealRate)
        }
        if let connections { try Quantities.checkCount(connections, what: "-c", range: 1...LoadOptions.maxConnections) }
        let name = name ?? "sweep"
        try RunSettings.checkName(name)
        self.init(modes: modes ?? [.nat, .dr, .tun], realCounts: (reals ?? Self.defaultRealCounts).sorted(), cap: cap,
                  connections: connections, duration: duration ?? 3, warmup: warmup ?? 1,
                  outDir: outDir ?? "results", name: name, load: load ?? .http)
    }
}
