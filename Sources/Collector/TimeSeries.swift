import Foundation
import SystemKit

/// Every node read once, at one instant of the run.
public struct Sample: Codable, Equatable, Sendable {
    /// Seconds since the collector started (monotonic clock), for rate arithmetic.
    public var elapsed: Double
    /// Wall-clock time, for lining samples up with other results.
    public var time: Date
    public var nodes: [NodeSample]

    public init(elapsed: Double, time: Date, nodes: [NodeSample]) {
        self.elapsed = elapsed
        self.time = time
        self.nodes = nodes
    }

    public func node(_ name: String) -> NodeSample? { nodes.first { $0.node == name } }
}

/// The samples of one collection, plus what is derived from them.
public struct TimeSeries: Codable, Equatable, Sendable {
    /// The interval asked for, seconds.
    public var interval: Double
    public var samples: [Sample]
    /// Ticks skipped because reading every node took longer than the interval.
    public var missedTicks: Int
    /// What the capture on the director's links saw over the same window, when one ran.
    public var wire: WireReport?

    public init(interval: Double, samples: [Sample], missedTicks: Int = 0, wire: WireReport? = nil) {
        self.interval = interval
        self.samples = samples
        self.missedTicks = missedTicks
        self.wire = wire
    }

    /// Per-second rates of every counter between consecutive samples.
    public var rates: [RatePoint] { CounterRates.points(samples) }

    /// One JSON object per line: first a header line (interval, missedTicks, wire report),
    /// then one line per sample, so a long series can be read (or tailed) line by line.
    public func jsonLines() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(Header(interval: interval, missedTicks: missedTicks, samples: samples.count, wire: wire))
        data.append(0x0A)
        for sample in samples {
            data.append(try encoder.encode(sample))
            data.append(0x0A)
        }
        return data
    }

    /// Writes `jsonLines()` atomically: an interrupted run never leaves half a file.
    public func writeJSONLines(to path: String) throws {
        try AtomicFile.write(try jsonLines(), to: path)
    }

    /// Reads what `writeJSONLines` wrote.
    public static func readJSONLines(_ data: Data) throws -> TimeSeries {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let lines = data.split(separator: 0x0A)
        guard let first = lines.first else { throw InvalidInput("time series file is empty: collect one with `lvsbench collect`") }
        let header = try decoder.decode(Header.self, from: Data(first))
        let samples = try lines.dropFirst().map { try decoder.decode(Sample.self, from: Data($0)) }
        return TimeSeries(interval: header.interval, samples: samples, missedTicks: header.missedTicks, wire: header.wire)
    }

    struct Header: Codable {
        var interval: Double
        var missedTicks: Int
        var samples: Int
        var wire: WireReport?
    }
}
