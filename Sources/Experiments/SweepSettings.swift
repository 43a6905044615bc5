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

/// What `lvsbench sweep` was asked for, already typed like `RunRequest`; nil means "the default".
public struct SweepRequest: Sendable {
    public var modes: [LabMode]?
    public var reals: [Int]?
    /// Bytes per second, from `SweepSettings.realRate`.
    public var realRate: Int?
    public var realRPS: Int?
    public var connections: Int?
    /// Seconds, from `RunSettings.window`.
    public var duration: Double?
    /// Seconds, from `RunSettings.warmupSeconds`.
    public var warmup: Double?
    /// Keep-alive (the default) or a new connection per request, from `SweepSettings.load`.
    public var load: LoadKind?
    public var outDir: String?
    public var name: String?
    public init() {}
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

    public static func validated(_ request: SweepRequest) throws -> SweepSettings {
        let modes = request.modes ?? [.nat, .dr, .tun]
        let counts = request.reals ?? defaultRealCounts
        let cap: RealCap
        switch (request.realRate, request.realRPS) {
        case (.some, .some):
            throw InvalidInput("--real-rate and --real-rps both given: cap the reals one way, not both")
        case (.some(let rate), nil):
            cap = .bytesPerSecond(rate)
        case (nil, .some(let rps)):
            try Quantities.checkCount(rps, what: "--real-rps", range: 1...Int(Quantities.maxRate))
            cap = .requestsPerSecond(rps)
        case (nil, nil):
            cap = .bytesPerSecond(defaultRealRate)
        }
        if let c = request.connections { try Quantities.checkCount(c, what: "-c", range: 1...LoadOptions.maxConnections) }
        let duration = request.duration ?? 3
        let warmup = request.warmup ?? 1
        let name = request.name ?? "sweep"
        try RunSettings.checkName(name)
        let load = request.load ?? .http
        let outDir = request.outDir ?? "results"
        try OutputLocation.checkWritable(outDir, option: "--out")
        return SweepSettings(modes: modes, realCounts: counts.sorted(), cap: cap, connections: request.connections,
                             duration: duration, warmup: warmup, outDir: outDir, name: name, load: load)
    }
}
