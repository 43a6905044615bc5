import ArgumentParser
import Foundation
import SystemKit

/// Real-server weights as IPVS takes them: 0 (quiesced: no new connections) to 65535.
public enum Weights {
    public static let range: ClosedRange<Int> = 0...65535

    /// Parses "5,5,1,1" into weights, each in `range`, before the number of reals is known;
    /// an empty text gives no weights (`fitted` then gives every real weight 1).
    public static func parseList(_ text: String) throws -> [Int] {
        guard !text.isEmpty else { return [] }
        var weights: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let w = Int(trimmed) else {
                let digits = trimmed.drop(while: { $0 == "-" || $0 == "+" })
                if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    throw InvalidInput("weight \(trimmed) is out of range: IPVS weights are 0 to 65535")
                }
                throw InvalidInput("weight '\(trimmed)' is not a whole number: give weights like 5,5,1,1")
            }
            guard range.contains(w) else {
                throw InvalidInput("weight \(w) is out of range: IPVS weights are 0 to 65535")
            }
            weights.append(w)
        }
        return weights
    }

    /// `weights` for `reals` servers: one each, or weight 1 each when none (nil or empty) were given.
    public static func fitted(_ weights: [Int]?, reals: Int) throws -> [Int] {
        guard let weights, !weights.isEmpty else { return Array(repeating: 1, count: reals) }
        guard weights.count == reals else {
            throw InvalidInput("\(weights.count) weights given for \(reals) reals: give one weight per real")
        }
        return weights
    }
}
