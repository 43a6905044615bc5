import Foundation
import SystemKit

/// Real-server weights as IPVS takes them: 0 (quiesced: no new connections) to 65535.
public enum Weights {
    public static let range: ClosedRange<Int> = 0...65535

    /// Parses "5,5,1,1" for `reals` servers; an empty or nil list means weight 1 each.
    public static func parse(_ text: String?, reals: Int) throws -> [Int] {
        guard let text, !text.isEmpty else { return Array(repeating: 1, count: reals) }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var weights: [Int] = []
        for part in parts {
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
        guard weights.count == reals else {
            throw InvalidInput("\(weights.count) weights given for \(reals) reals: give one weight per real")
        }
        return weights
    }
}
