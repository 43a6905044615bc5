import Foundation

/// Number formatting shared by the reports: figures a reader can take in at a glance
/// (thousands separated, 3 significant figures for rates), and never "nan" or "inf".
enum Format {
    /// 15800 -> "15,800"; 1234567 -> "1.23 M"; 0.5 -> "0.5".
    static func count(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        let a = abs(x)
        if a >= 10_000_000 { return String(format: "%.3g M", x / 1_000_000) }
        if a >= 1000 { return grouped(Int(x.rounded())) }
        if a >= 100 || x == x.rounded() { return String(Int(x.rounded())) }
        return String(format: "%.3g", x)
    }

    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// Bytes per second in decimal units (what network people quote): "8.93 MB/s".
    static func byteRate(_ x: Double) -> String { bytes(x) + "/s" }

    static func bytes(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        let units = ["B", "kB", "MB", "GB", "TB"]
        var v = x, i = 0
        while abs(v) >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
        return i == 0 ? "\(Int(v.rounded())) B" : String(format: "%.3g %@", v, units[i])
    }

    /// Microseconds as the unit a reader expects: "850 µs", "12.3 ms", "1.20 s".
    static func micros(_ us: Double) -> String {
        guard us.isFinite else { return "–" }
        if us >= 1_000_000 { return String(format: "%.2f s", us / 1_000_000) }
        if us >= 1000 { return String(format: "%.3g ms", us / 1000) }
        return String(format: "%.0f µs", us)
    }

    /// A fraction 0...1 as percent with one decimal: "41.7%".
    static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "–" }
        return String(format: "%.1f%%", fraction * 100)
    }

    static func ratio(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        return String(format: "%.2f", x)
    }

    /// A signed relative change: "+4.1%", "-50.0%".
    static func change(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        return String(format: "%+.1f%%", x * 100)
    }

    /// ISO 8601 in UTC, seconds precision.
    static func date(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
}
