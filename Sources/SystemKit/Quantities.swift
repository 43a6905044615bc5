import Foundation

/// Parsers for the quantities users type on command lines: durations ("100ms", "2s", "1m",
/// bare numbers are seconds), byte sizes ("64", "4K", "1MB") and byte rates ("400KB/s").
public enum Quantities {
    /// Seconds in `text`, or `InvalidInput` naming `what` when it is not a positive duration.
    public static func duration(_ text: String, what: String = "duration") throws -> Double {
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
        return value * scale
    }

    /// Bytes in `text` ("512", "4K", "4KB", "1M", "1MiB"); K/M/G are powers of 1024.
    public static func bytes(_ text: String, what: String = "size") throws -> Int {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where t.hasSuffix(suffix) { t = String(t.dropLast(suffix.count)); break }
        var scale = 1
        if let last = t.last, let power = ["K": 1, "M": 2, "G": 3][String(last)] {
            scale = 1 << (10 * power)
            t.removeLast()
        }
        guard let value = Double(t), value.isFinite, value >= 0, value * Double(scale) < Double(Int.max) else {
            throw InvalidInput("\(what) '\(text)' is not a size: use e.g. 64, 4K or 1MB")
        }
        return Int(value * Double(scale))
    }

    /// Bytes per second in `text` ("400KB/s", "1MB/s", "3000000").
    public static func byteRate(_ text: String, what: String = "rate") throws -> Int {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.lowercased().hasSuffix("/s") { t = String(t.dropLast(2)) }
        let value = try bytes(t, what: what)
        guard value > 0 else { throw InvalidInput("\(what) '\(text)' must be above zero, e.g. 400KB/s") }
        return value
    }
}
