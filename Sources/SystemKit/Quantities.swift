import Foundation

/// Parsers for the quantities users type on command lines: durations ("100ms", "2s", "1m",
/// bare numbers are seconds), byte sizes ("64", "4K", "1MB") and byte rates ("400KB/s"),
/// and the bounds every command holds them to. The bounds are what a benchmark can mean, and
/// they keep the arithmetic done on the values later (nanoseconds in UInt64, bytes in Int)
/// far from overflow, so a typo is an error message, never a trap after a lab is built.
public enum Quantities {
    /// The longest duration any option takes: a day.
    public static let maxDuration: Double = 86_400
    /// The shortest: a microsecond, the finest unit understood.
    public static let minDuration: Double = 0.000_001
    /// The highest request rate any option takes: 1e8 requests/s, far beyond one host.
    public static let maxRate: Double = 1e8
    /// The lowest: one request per 1000 s (a slower rate sends nothing within a day's run
    /// worth measuring).
    public static let minRate: Double = 0.001
    /// The highest byte rate a cap takes: 1 GiB/s, more than any link of the lab carries.
    public static let maxByteRate = 1 << 30

    /// Seconds in `text`, or `InvalidInput` naming `what` when it is not a duration within
    /// `range` (by default a microsecond to a day).
    public static func duration(_ text: String, what: String = "duration",
                                range: ClosedRange<Double> = minDuration...maxDuration) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("us", 0.000_001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = t
        var scale = 1.0
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            number = String(t.dropLast(suffix.count))
            scale = factor
            break
        }
        guard let value = Double(number), value.isFinite, value > 0 else {
            throw InvalidInput("\(what) '\(text)' is not a positive duration: use e.g. 500ms, 10s or 2m")
        }
        let seconds = value * scale
        guard seconds >= range.lowerBound * (1 - 1e-9), seconds <= range.upperBound else {
            throw InvalidInput("\(what) '\(text)' is out of range: give \(spell(seconds: range.lowerBound)) to \(spell(seconds: range.upperBound))")
        }
        return seconds
    }

    /// A duration the way `duration` reads it back: "1us", "100ms", "3s", "24h".
    public static func spell(seconds: Double) -> String {
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        if seconds >= 1, seconds == seconds.rounded() { return "\(Int(seconds))s" }
        if seconds >= 0.001, (seconds * 1000).rounded() == seconds * 1000 { return "\(Int((seconds * 1000).rounded()))ms" }
        return "\(Int((seconds * 1e6).rounded()))us"
    }

    /// Checks a request rate (requests per second) typed as a number.
    public static func checkRate(_ value: Double, what: String) throws {
        guard value.isFinite, value >= minRate, value <= maxRate else {
            throw InvalidInput("\(what) \(value) is out of range: give 0.001 to 100000000 requests per second")
        }
    }

    /// Checks a whole-number option against `range`.
    public static func checkCount(_ value: Int, what: String, range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw InvalidInput("\(what) \(value) is out of range: give \(range.lowerBound) to \(range.upperBound)")
        }
    }

    /// Bytes in `text` ("512", "4K", "4KB", "1M", "1MiB"); K/M/G are powers of 1024. The
    /// result is a whole number of bytes below 1 TiB.
    public static func bytes(_ text: String, what: String = "size") throws -> Int {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where t.hasSuffix(suffix) { t = String(t.dropLast(suffix.count)); break }
        var scale = 1
        if let last = t.last, let power = ["K": 1, "M": 2, "G": 3][String(last)] {
            scale = 1 << (10 * power)
            t.removeLast()
        }
        guard let value = Double(t), value.isFinite, value >= 0 else {
            throw InvalidInput("\(what) '\(text)' is not a size: use e.g. 64, 4K or 1MB")
        }
        let total = value * Double(scale)
        guard total < Double(1 << 40) else {
            throw InvalidInput("\(what) '\(text)' is too large: give a size below 1TB, e.g. 64, 4K or 1MB")
        }
        guard total == total.rounded() else {
            throw InvalidInput("\(what) '\(text)' is not a whole number of bytes: use e.g. 64, 4K or 1MB")
        }
        return Int(total)
    }

    /// Bytes per second in `text` ("400KB/s", "1MB/s", "3000000"), from 1 KiB/s to 1 GiB/s.
    public static func byteRate(_ text: String, what: String = "rate") throws -> Int {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.lowercased().hasSuffix("/s") { t = String(t.dropLast(2)) }
        let value: Int
        do { value = try bytes(t, what: what) } catch {
            throw InvalidInput("\(what) '\(text)' is not a byte rate below 1GB/s: use e.g. 400KB/s or 1MB/s")
        }
        guard value > 0 else { throw InvalidInput("\(what) '\(text)' must be above zero, e.g. 400KB/s") }
        guard value >= 1024, value <= maxByteRate else {
            throw InvalidInput("\(what) '\(text)' is out of range: give 1KB/s to 1GB/s, e.g. 400KB/s")
        }
        return value
    }
}
