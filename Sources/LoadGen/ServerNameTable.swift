/// Interns the few distinct real-server names a run sees, so the hot path counts a response
/// with one byte comparison per known name and allocates only when a new name first appears.
public struct ServerNameTable {
    /// More names than this are lumped together: a lab has a handful of reals, and an
    /// unbounded table would let a misbehaving server grow memory per response.
    static let capacity = 256
    static let overflowName = "(other)"

    private(set) var names: [[UInt8]] = []
    private(set) var counts: [UInt64] = []
    private var overflow: UInt64 = 0

    /// Counts one response from the server named by `count` bytes at `base`.
    public init() {}

    public mutating func count(_ base: UnsafePointer<UInt8>, _ count: Int) {
        for i in 0..<names.count where names[i].count == count {
            let same = names[i].withUnsafeBufferPointer { memcmp($0.baseAddress!, base, count) == 0 }
            if same {
                counts[i] &+= 1
                return
            }
        }
        guard names.count < Self.capacity else {
            overflow &+= 1
            return
        }
        names.append(Array(UnsafeBufferPointer(start: base, count: count)))
        counts.append(1)
    }

    /// Counts by name (names decoded as UTF-8, invalid bytes replaced).
    public var dictionary: [String: UInt64] { dictionary(since: ServerNameTable()) }

    /// Counts by name added since `earlier`, an older copy of this table (names are only
    /// ever appended, so a name keeps its position); names without any are left out.
    public func dictionary(since earlier: ServerNameTable) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for (i, name) in names.enumerated() {
            let n = counts[i] - (i < earlier.counts.count ? earlier.counts[i] : 0)
            if n > 0 { result[String(decoding: name, as: UTF8.self), default: 0] += n }
        }
        if overflow > earlier.overflow { result[Self.overflowName, default: 0] += overflow - earlier.overflow }
        return result
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
