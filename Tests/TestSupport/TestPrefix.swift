import Foundation

/// Namespace prefixes of the test classes that build labs through the CLI. Each class has
/// its own suffix; the stem is the caller's `LVSBENCH_PREFIX` when set (else `lvs`), so two
/// test runs on one host (CI beside a developer's session) never share, and never reap,
/// each other's labs.
public enum TestPrefix {
    public static func named(_ suffix: String) -> String {
        let stem = ProcessInfo.processInfo.environment["LVSBENCH_PREFIX"] ?? ""
        return (stem.isEmpty ? "lvs" : stem) + suffix
    }
}
