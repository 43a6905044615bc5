import Foundation
import Lab
import LoadGen
import SystemKit
import Vocabulary

/// A validated `lvsbench scale`: per balancer one NAT lab with rr, and in it, for each count
/// of virtual services, the programming, one live change and a window of new-connection load.
public struct ScaleSettings: Codable, Equatable, Sendable {
    public var balancers: [BalancerKind]
    /// Counts of virtual services, ascending, each 1 to `maxServices`.
    public var services: [Int]
    public var load: LoadKind
    public var duration: Double
    public var warmup: Double
    public var reals: Int
    public var connections: Int
    public var outDir: String
    public var name: String

    /// The fillers sit on the VIP's ports from `ScaleServices.firstFillerPort` on, one each,
    /// so 10,000 services (the largest) fit below port 20000, far from the lab's own.
    public static let maxServices = 10_000
    public static let defaultServices = [1, 10, 100, 1000, 10_000]
    /// Loads that open a connection per request: what a service lookup costs shows in setup.
    public static let loads: [LoadKind] = [.tcpCRR, .httpClose]
    public static let defaultConnections = 4

    /// One entry of `--services`.
    public static func serviceCount(_ text: String) throws -> Int {
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), (1...maxServices).contains(n) else {
            throw InvalidInput("--services entry '\(text)' is not a count of 1 to \(maxServices)")
        }
        return n
    }

    /// `--load`: only loads with a new connection per request.
    public static func load(_ text: String) throws -> LoadKind {
        guard let kind = try? LoadKind(parsing: text), loads.contains(kind) else {
            throw InvalidInput("--load '\(text)' is not a scale load: use tcp-crr or http-close")
        }
        return kind
    }

    /// The output directory is writable (checked by `ScaleSession.run` before anything is created).
    public func checkHost() throws {
        try OutputLocation.checkWritable(outDir, option: "--out")
    }
}

/// In an extension, so that the memberwise initializer stays.
extension ScaleSettings {
    /// The settings of `lvsbench scale`'s options; nil means "the default". Refuses (exit 2,
    /// before anything is built) a balancer that cannot run a NAT lab with rr, a count of
    /// services out of range and a load without a connection per request.
    public init(balancers: [BalancerKind]? = nil, services: [Int]? = nil, load: LoadKind? = nil,
                duration: Double? = nil, warmup: Double? = nil, reals: Int? = nil, connections: Int? = nil,
                outDir: String? = nil, name: String? = nil) throws {
        let balancers = balancers ?? [.ipvs]
        for kind in balancers { try DirectorBalancer.check(kind, mode: .nat, scheduler: .rr, persistence: nil) }
        let services = services ?? Self.defaultServices
        for n in services where !(1...Self.maxServices).contains(n) {
            throw InvalidInput("--services entry '\(n)' is not a count of 1 to \(Self.maxServices)")
        }
        let load = load ?? .tcpCRR
        guard Self.loads.contains(load) else {
            throw InvalidInput("--load '\(load.rawValue)' is not a scale load: use tcp-crr or http-close")
        }
        let reals = reals ?? 2
        guard (1...RunSettings.maxReals).contains(reals) else {
            throw InvalidInput("--reals \(reals) is out of range: give 1 to \(RunSettings.maxReals)")
        }
        if let connections { try Quantities.checkCount(connections, what: "-c", range: 1...LoadOptions.maxConnections) }
        let name = name ?? "scale"
        try RunSettings.checkName(name)
        self.init(balancers: balancers, services: Array(Set(services)).sorted(), load: load,
                  duration: duration ?? 3, warmup: warmup ?? 1, reals: reals,
                  connections: connections ?? Self.defaultConnections, outDir: outDir ?? "results", name: name)
    }
}
