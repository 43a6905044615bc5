import Foundation
import Histogram

/// Pairs each packet entering the director with the same packet leaving it. Captures of
/// different links run on different threads, so either half may arrive first: each side
/// waits in its own table until the other shows up or it is older than `window`.
final class TransitMatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var entering: [TransitKey: UInt64] = [:]
    private var leaving: [TransitKey: UInt64] = [:]
    private var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    private var unmatched: UInt64 = 0
    private var latest: UInt64 = 0
    private var inserts = 0
    /// Microseconds a half waits for its partner.
    let window: UInt64

    init(window: UInt64 = 2_000_000) { self.window = window }

    /// Records one half; `microseconds` is the capture timestamp.
    func observe(_ key: TransitKey, at microseconds: UInt64, entering isEntering: Bool) {
        lock.lock()
        defer { lock.unlock() }
        latest = Swift.max(latest, microseconds)
        if isEntering {
            if let out = leaving.removeValue(forKey: key) { record(from: microseconds, to: out) } else { entering[key] = microseconds }
        } else {
            if let into = entering.removeValue(forKey: key) { record(from: into, to: microseconds) } else { leaving[key] = microseconds }
        }
        inserts += 1
        if inserts % 4096 == 0 { evict(before: latest > window ? latest - window : 0) }
    }

    private func record(from enter: UInt64, to leave: UInt64) {
        // Timestamps of different capture sockets may disagree by a microsecond.
        _ = histogram.record(leave >= enter ? leave - enter : 0)
    }

    private func evict(before limit: UInt64) {
        let before = entering.count + leaving.count
        entering = entering.filter { $0.value >= limit }
        leaving = leaving.filter { $0.value >= limit }
        unmatched += UInt64(before - entering.count - leaving.count)
    }

    /// The histogram's summary; halves still waiting count as unmatched.
    func summary() -> TransitLatency {
        lock.lock()
        defer { lock.unlock() }
        let h = histogram
        let count = h.totalCount
        return TransitLatency(
            matched: count, unmatched: unmatched + UInt64(entering.count + leaving.count),
            p50: count > 0 ? h.valueAtPercentile(50) : nil, p90: count > 0 ? h.valueAtPercentile(90) : nil,
            p99: count > 0 ? h.valueAtPercentile(99) : nil, max: count > 0 ? h.max : nil,
            mean: count > 0 ? h.mean : nil)
    }
}
