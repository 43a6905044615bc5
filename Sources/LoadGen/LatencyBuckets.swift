/// Latencies of one timeline interval in log-linear buckets: exact below 32 us, above that
/// 16 buckets per power of two up to 2^32 us (464 buckets in all). A full HDR histogram
/// per interval would take tens of kilobytes; this takes at most 1.9 KB, and a finished
/// interval keeps only the range of buckets it used (`compacted`), so a 120 s run at
/// 100 ms intervals costs at most 2.3 MB per thread and usually a fraction of that.
///
/// Precision: a percentile is reported as the midpoint of the bucket that holds the exact
/// percentile's value (a bucket starting at L is at most L/16 wide), so it is within 1/32
/// (3.2 %) of the exact value, exact below 32 us, and never above the interval's exact `max`.
struct LatencyBuckets: Equatable {
    static let subBucketBits = 4
    static let subBuckets = 1 << subBucketBits
    /// Values below this get a bucket each.
    static let exactBelow: UInt64 = 2 * UInt64(subBuckets)
    /// Buckets for every value below 2^32 us (more than `LatencyHistogram.maxMicroseconds`).
    static let count = (32 - subBucketBits + 1) * subBuckets

    /// The index of `counts[0]` in the full bucket range.
    private(set) var first = 0
    private(set) var counts: [UInt32]
    private(set) var total: UInt64 = 0
    /// The largest latency recorded, exact.
    private(set) var max: UInt64 = 0

    /// All buckets, empty.
    init() { counts = [UInt32](repeating: 0, count: Self.count) }

    @inline(__always)
    static func index(_ microseconds: UInt64) -> Int {
        let v = Swift.min(microseconds, UInt64(UInt32.max))
        if v < exactBelow { return Int(v) }
        let exponent = 63 - v.leadingZeroBitCount
        let sub = Int(truncatingIfNeeded: v >> (exponent - subBucketBits)) & (subBuckets - 1)
        return (exponent - subBucketBits + 1) * subBuckets + sub
    }

    /// The smallest value of bucket `index`.
    static func lowerBound(_ index: Int) -> UInt64 {
        if index < Int(exactBelow) { return UInt64(index) }
        let exponent = index / subBuckets + subBucketBits - 1
        return UInt64(subBuckets + index % subBuckets) << (exponent - subBucketBits)
    }

    /// The value reported for bucket `index`: its midpoint.
    static func representative(_ index: Int) -> UInt64 {
        if index < Int(exactBelow) { return UInt64(index) }
        let exponent = index / subBuckets + subBucketBits - 1
        return lowerBound(index) + (UInt64(1) << (exponent - subBucketBits)) / 2
    }

    /// Only on the full range (`init()`), which every worker's live interval is.
    @inline(__always)
    mutating func record(_ microseconds: UInt64) {
        counts[Self.index(microseconds)] &+= 1
        total &+= 1
        if microseconds > max { max = microseconds }
    }

    /// The used range of buckets only, for keeping after the interval ended.
    var compacted: LatencyBuckets {
        guard let lo = counts.firstIndex(where: { $0 > 0 }), let hi = counts.lastIndex(where: { $0 > 0 }) else {
            var empty = self
            empty.counts = []
            return empty
        }
        var copy = self
        copy.first = first + lo
        copy.counts = Array(counts[lo...hi])
        return copy
    }

    /// Adds `other` (any range) into these buckets (the full range).
    mutating func add(_ other: LatencyBuckets) {
        for (k, n) in other.counts.enumerated() { counts[other.first - first + k] &+= n }
        total &+= other.total
        max = Swift.max(max, other.max)
    }

    /// The value at `percentile` (0 to 100, exclusive of 0) as described in the type's
    /// comment; 0 when nothing was recorded.
    func value(atPercentile percentile: Double) -> UInt64 {
        guard total > 0 else { return 0 }
        let rank = Swift.max(1, UInt64((percentile / 100 * Double(total)).rounded(.up)))
        var seen: UInt64 = 0
        for (k, n) in counts.enumerated() {
            seen += UInt64(n)
            if seen >= rank { return Swift.min(Self.representative(first + k), max) }
        }
        return max
    }

    /// p50, p99 and max, or nil for an interval without responses.
    var summary: LoadReport.IntervalLatency? {
        total == 0 ? nil : LoadReport.IntervalLatency(p50: value(atPercentile: 50), p99: value(atPercentile: 99), max: max)
    }
}
