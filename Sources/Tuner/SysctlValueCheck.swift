import Foundation

/// Checks a wanted sysctl value against the node's current one before anything is written,
/// so a typo fails the whole profile instead of half-applying it.
public enum SysctlValueCheck {
    /// Per-field bounds the kernel enforces (proc_dointvec_minmax extra1/extra2 and custom
    /// handlers), checked by writing out-of-range values in a scratch namespace on Linux 6.18
    /// (EINVAL). One range applies to every field unless the list has one per field.
    public static let ranges: [String: [ClosedRange<Int64>]] = [
        "net.ipv4.tcp_tw_reuse": [0...2],
        "net.ipv4.ip_local_port_range": [1...65535],
        "net.ipv4.tcp_rmem": [1...Int64(Int32.max)],
        "net.ipv4.tcp_wmem": [1...Int64(Int32.max)],
        "net.core.somaxconn": [0...Int64(Int32.max)],
    ]

    /// Keys whose fields must not decrease (the kernel refuses `3000 2000`).
    public static let ascending: Set<String> = ["net.ipv4.ip_local_port_range"]

    /// A one-line problem with `wanted`, or nil when it may be written. The form must match
    /// `current`: as many fields, integers where the current value has integers.
    public static func problem(key: String, wanted: String, current: String) -> String? {
        let want = wanted.split(separator: " ").map(String.init)
        let have = current.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !want.isEmpty else { return "no value given" }
        let numeric = !have.isEmpty && have.allSatisfy { Int64($0) != nil }
        if !have.isEmpty, want.count != have.count {
            let shape = numeric ? "\(have.count) integer\(have.count == 1 ? "" : "s")" : "\(have.count) field\(have.count == 1 ? "" : "s")"
            return "'\(wanted)' has the wrong form: expected \(shape) like the current '\(have.joined(separator: " "))'"
        }
        guard numeric else { return nil }
        var numbers: [Int64] = []
        for field in want {
            guard let n = Int64(field) else {
                return "'\(wanted)' has the wrong form: '\(field)' is not an integer (current value '\(have.joined(separator: " "))')"
            }
            numbers.append(n)
        }
        // Most sysctls are C ints; a current value beyond that range means a long one.
        let wide = have.contains { Int64($0).map { $0 > Int64(Int32.max) || $0 < Int64(Int32.min) } ?? false }
        let limits = wide ? Int64.min...Int64.max : Int64(Int32.min)...Int64(Int32.max)
        for (i, n) in numbers.enumerated() {
            let bounds = ranges[key].map { $0.count == numbers.count ? $0[i] : $0[0] } ?? limits
            guard bounds.contains(n), limits.contains(n) else {
                return "\(n) is out of range (\(bounds.lowerBound)...\(bounds.upperBound))"
            }
        }
        if ascending.contains(key), numbers != numbers.sorted() {
            return "'\(wanted)' is out of range: the fields must not decrease"
        }
        return nil
    }
}
