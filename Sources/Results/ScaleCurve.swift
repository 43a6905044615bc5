import Foundation
import SystemKit

/// One point of `lvsbench scale`: the balancer holding `services` virtual services, what it
/// took to program, change and remove them, and new-connection load to the one measured.
public struct ScalePoint: Codable, Equatable, Sendable {
    /// Virtual services installed: N - 1 fillers and the measured one, placed last.
    public var services: Int
    /// Wall-clock seconds of the balancer's own commands installing all N services.
    public var programSeconds: Double
    /// Wall-clock seconds of one live change at N (a weight of the measured service's real).
    public var changeSeconds: Double
    /// Wall-clock seconds removing the N - 1 fillers afterwards.
    public var removeSeconds: Double
    /// Connection setup latency to the measured service, one request per connection, µs.
    public var p50US: Double
    public var p99US: Double
    /// New connections per second the load generator completed.
    public var connectionsPerSecond: Double
    /// Percent of one director CPU not idle over the window.
    public var directorCPUPct: Double
    /// Failed connections or requests in the window.
    public var errors: Int

    public init(services: Int, programSeconds: Double, changeSeconds: Double, removeSeconds: Double,
                p50US: Double, p99US: Double, connectionsPerSecond: Double, directorCPUPct: Double, errors: Int = 0) {
        self.services = services
        self.programSeconds = programSeconds
        self.changeSeconds = changeSeconds
        self.removeSeconds = removeSeconds
        self.p50US = p50US
        self.p99US = p99US
        self.connectionsPerSecond = connectionsPerSecond
        self.directorCPUPct = directorCPUPct
        self.errors = errors
    }

    /// Programming seconds per service installed.
    public var programSecondsPerService: Double { services > 0 ? programSeconds / Double(services) : 0 }

    enum CodingKeys: String, CodingKey {
        case services, programSeconds = "program_s", changeSeconds = "change_s", removeSeconds = "remove_s"
        case p50US = "p50_us", p99US = "p99_us", connectionsPerSecond = "cps", directorCPUPct = "director_cpu_pct", errors
    }
}

/// One balancer's points of `lvsbench scale`, in order of N, and the summary's verdict on them.
public struct ScaleCurve: Codable, Equatable, Sendable {
    public var points: [ScalePoint]
    public var load: String

    public init(points: [ScalePoint], load: String) {
        self.points = points
        self.load = load
    }

    /// The claim judged from the smallest and the largest N (`ScaleVerdict`).
    public var verdict: ScaleVerdict? { ScaleVerdict(points) }
}

extension ResultDirectory {
    /// scale.csv, written only for a result of `lvsbench scale`.
    public static let scaleFile = "scale.csv"
    public var scaleURL: URL { url.appendingPathComponent(Self.scaleFile) }
    public func write(scaleCSV: String) throws { try AtomicFile.write(scaleCSV, to: scaleURL.path) }
}
