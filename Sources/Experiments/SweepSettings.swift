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

/// What `lvsbench sweep` was asked for, as typed.
public struct SweepRequest: Sendable {
    public var modes: String?
    public var reals: String?
    public var realRate: String?
    public var realRPS: Int?
    public var connections: Int?
    public var duration: String?
    public var warmup: String?
    /// "http" (keep-alive, the default) or "http-close" (a new connection per request).
    public var load: String?
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

    public static func validated(_ request: SweepRequest) throws -> SweepSettings {
        let modes = try request.modes.map { try ListOption.parse($0, option: "--mode", LabMode.init(parsing:)) }
            ?? [.nat, .dr, .tun]
        let counts = try request.reals.map {
            try ListOption.parse($0, option: "--reals") { text -> Int in
                guard let n = Int(text), (1...RunSettings.maxReals).contains(n) else {
                    throw InvalidInput("--reals entry '\(text)' is not a count of 1 to \(RunSettings.maxReals)")
                }
                return n
            }
        } ?? defaultRealCounts
        let cap: RealCap
        switch (request.realRate, request.realRPS) {
        case (.some, .some):
            throw InvalidInput("--real-rate and --real-rps both given: cap the reals one way, not both")
        case (.some(let text), nil):
            cap = .bytesPerSecond(try Quantities.byteRate(text, what: "--real-rate"))
        case (nil, .some(let rps)):
            try Quantities.checkCount(rps, what: "--real-rps", range: 1...Int(Quantities.maxRate))
            cap = .requestsPerSecond(rps)
        case (nil, nil):
            cap = .bytesPerSecond(defaultRealRate)
        }
        if let c = request.connections { try Quantities.checkCount(c, what: "-c", range: 1...LoadOptions.maxConnections) }
        let duration = try request.duration.map {
            try Quantities.duration($0, what: "--duration", range: RunSettings.windowRange)
        } ?? 3
        let warmup = try request.warmup.map { try RunSettings.warmupSeconds($0) } ?? 1
        let name = request.name ?? "sweep"
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }),
              !name.isEmpty, !name.hasPrefix(".") else {
            throw InvalidInput("--name '\(name)' is not usable in a directory name: use letters, digits, - _ .")
        }
        let load = try request.load.map { text -> LoadKind in
            guard let kind = try? LoadKind(parsing: text), loads.contains(kind) else {
                throw InvalidInput("--load '\(text)' is not a sweep load: use http or http-close")
            }
            return kind
        } ?? .http
        let outDir = request.outDir ?? "results"
        try OutputLocation.checkWritable(outDir, option: "--out")
        return SweepSettings(modes: modes, realCounts: counts.sorted(), cap: cap, connections: request.connections,
                             duration: duration, warmup: warmup, outDir: outDir, name: name, load: load)
    }
}
