import Foundation

/// A small seeded source of generated and damaged inputs for the parsers' fuzz tests.
/// Deterministic so that the suite gives the same verdict on every run: each test has a
/// fixed default seed, printed at the start, and `LVSBENCH_FUZZ_SEED=N` replays (or varies)
/// it. Mutations favour what breaks parsers of kernel and protocol text: cut and doubled
/// lines, dropped or doubled separators, and numbers at and beyond the limits of the
/// integer types they are read into.
public struct Fuzzer: RandomNumberGenerator {
    public let seed: UInt64
    private var source: SplitMix64

    /// The environment variable that overrides every fuzz test's seed.
    public static let seedVariable = "LVSBENCH_FUZZ_SEED"

    /// Numbers that sit at or beyond what Int, UInt64, Int32, UInt16 and Double hold, as
    /// decimal and hexadecimal text, plus signs and non-numbers that look like numbers.
    public static let numberTokens = [
        "0", "-0", "-1", "1", "255", "256", "65535", "65536", "2147483647", "2147483648", "-2147483649",
        "4294967295", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616", "99999999999999999999",
        "999999999999999999999999999999999999999", "ffffffff", "FFFFFFFFFFFFFFFF", "10000000000000000",
        "fffffffffffffffffffff", "0x10", "1e400", "-1e400", "1e-400", "nan", "inf", "-inf", "+5", "1.5", "00000001",
    ]

    /// Seeded from `LVSBENCH_FUZZ_SEED` when set, else from `defaultSeed`; prints which, so
    /// a failure can be replayed.
    public init(_ name: String, defaultSeed: UInt64) {
        let env = ProcessInfo.processInfo.environment[Self.seedVariable].flatMap { UInt64($0) }
        seed = env ?? defaultSeed
        source = SplitMix64(seed: seed)
        print("fuzz \(name): seed \(seed) (replay with \(Self.seedVariable)=\(seed))")
    }

    public mutating func next() -> UInt64 { source.next() }

    /// A number in `range` (which must not be empty).
    public mutating func int(_ range: Range<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    public mutating func int(_ range: ClosedRange<Int>) -> Int { int(range.lowerBound..<(range.upperBound + 1)) }

    /// True with probability `percent` / 100.
    public mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }

    public mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }

    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }

    /// One to four mutations of `input`: bit flips, byte changes, cuts, deletions,
    /// duplications, line shuffles, and insertions of `tokens` or of `numberTokens`, or a
    /// number of the input replaced by one of those.
    public mutating func mutate(_ input: [UInt8], tokens: [String] = []) -> [UInt8] {
        var b = input
        for _ in 0..<int(1...4) { b = mutateOnce(b, tokens: tokens) }
        return b
    }

    public mutating func mutate(_ text: String, tokens: [String] = []) -> String {
        String(decoding: mutate(Array(text.utf8), tokens: tokens), as: UTF8.self)
    }

    /// Splits `total` bytes into random pieces (how a socket delivers them), each at least one byte.
    public mutating func pieces(_ total: Int) -> [Int] {
        var left = total
        var out: [Int] = []
        while left > 0 {
            let n = chance(30) ? int(1...min(left, 4)) : int(1...max(1, min(left, 512)))
            out.append(min(n, left))
            left -= min(n, left)
        }
        return out
    }

    private mutating func mutateOnce(_ input: [UInt8], tokens: [String]) -> [UInt8] {
        var b = input
        let at = b.isEmpty ? 0 : int(0..<b.count)
        switch int(0..<12) {
        case 0 where !b.isEmpty:
            b[at] ^= UInt8(1) << UInt8(int(0..<8))
        case 1 where !b.isEmpty:
            b[at] = pick([0, 9, 10, 13, 32, 45, 58, 0x7f, 0x80, 0xff, UInt8(truncatingIfNeeded: next())])
        case 2:
            b = Array(b[..<at])
        case 3 where !b.isEmpty:
            b.removeSubrange(at..<min(b.count, at + int(1...32)))
        case 4 where !b.isEmpty:
            let end = min(b.count, at + int(1...64))
            b.insert(contentsOf: b[at..<end], at: at)
        case 5:
            b.insert(contentsOf: Array(pick(Self.numberTokens).utf8), at: at)
        case 6 where !tokens.isEmpty:
            b.insert(contentsOf: Array(pick(tokens).utf8), at: at)
        case 7:
            b = replaceNumber(b, with: pick(Self.numberTokens))
        case 8:
            b = shuffleLines(b)
        case 9:
            b.insert(contentsOf: bytes(int(1...16)), at: at)
        case 10:
            b = Array(b.prefix(at)) + Array(repeating: pick([UInt8(ascii: " "), 10, 9, UInt8(ascii: ":")]), count: int(1...8))
                + Array(b.dropFirst(at))
        default:
            b = replaceNumber(b, with: String(next() >> UInt64(int(0..<64)), radix: pick([10, 16])))
        }
        return b
    }

    /// Replaces a run of digits (the first at or after a random point) with `number`.
    private mutating func replaceNumber(_ b: [UInt8], with number: String) -> [UInt8] {
        guard !b.isEmpty else { return Array(number.utf8) }
        let isDigit = { (c: UInt8) in (48...57).contains(c) || (65...70).contains(c) || (97...102).contains(c) }
        let from = int(0..<b.count)
        guard let start = b[from...].firstIndex(where: { (48...57).contains($0) }) ?? b.firstIndex(where: { (48...57).contains($0) }) else {
            return b
        }
        var first = start
        while first > 0, isDigit(b[first - 1]) { first -= 1 }
        var end = start
        while end < b.count, isDigit(b[end]) { end += 1 }
        return Array(b[..<first]) + Array(number.utf8) + Array(b[end...])
    }

    /// Deletes, doubles or swaps whole lines.
    private mutating func shuffleLines(_ b: [UInt8]) -> [UInt8] {
        var lines = b.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
        guard lines.count > 1 else { return b }
        let i = int(0..<lines.count), j = int(0..<lines.count)
        switch int(0..<3) {
        case 0: lines.remove(at: i)
        case 1: lines.insert(lines[i], at: j)
        default: lines.swapAt(i, j)
        }
        return Array(lines.joined(separator: [10]))
    }
}

/// Prints a damaged input so that a failing case can be read in the test log.
public func fuzzExcerpt(_ bytes: [UInt8], limit: Int = 300) -> String {
    let text = String(decoding: bytes.prefix(limit), as: UTF8.self)
    return text.debugDescription + (bytes.count > limit ? "... (\(bytes.count) bytes)" : "")
}

public func fuzzExcerpt(_ text: String, limit: Int = 300) -> String { fuzzExcerpt(Array(text.utf8), limit: limit) }

/// What a fuzz run of one text parser saw.
public struct FuzzTally: CustomStringConvertible {
    public var inputs = 0
    public var parsed = 0
    public var rejected = 0
    /// Inputs that made the parser throw something other than its own error type.
    public var failures: [String] = []
    public init() {}
    public var description: String { "\(inputs) inputs: \(parsed) parsed, \(rejected) rejected, \(failures.count) wrong errors" }
}

extension Fuzzer {
    /// Lines made of the seeds' own words and `numberTokens`, in random order and number:
    /// text of roughly the right vocabulary and the wrong shape.
    public mutating func generateLines(from seeds: [String]) -> String {
        let words = Array(Set(seeds.flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init) }))
            + Self.numberTokens
        return (0..<int(1...12)).map { _ in
            (0..<int(1...10)).map { _ in pick(words) }.joined(separator: pick([" ", " ", "  ", "\t"]))
        }.joined(separator: "\n") + (chance(50) ? "\n" : "")
    }

    /// Runs `parse` on `count` inputs: one in five generated by `generateLines`, the rest
    /// mutations of `seeds`. A thrown error that `isTyped` refuses is a failure; a trap
    /// ends the test process, after the seed was printed.
    public mutating func fuzzText(_ seeds: [String], count: Int, tokens: [String] = [],
                                  parse: (String) throws -> Void, isTyped: (Error) -> Bool) -> FuzzTally {
        var tally = FuzzTally()
        for i in 0..<count {
            let input = i % 5 == 4 ? generateLines(from: seeds) : mutate(pick(seeds), tokens: tokens)
            tally.inputs += 1
            do {
                try parse(input)
                tally.parsed += 1
            } catch where isTyped(error) {
                tally.rejected += 1
            } catch {
                tally.failures.append("input \(i): \(error) from \(fuzzExcerpt(input))")
            }
        }
        return tally
    }
}
