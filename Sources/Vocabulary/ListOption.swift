import Foundation
import SystemKit

/// Splits the comma lists users give (`--mode nat,dr`) and rejects empty ones, so an empty
/// matrix never starts a lab.
public enum ListOption {
    public static func split(_ text: String, option: String) throws -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty, !items.contains(where: \.isEmpty) else {
            throw InvalidInput("\(option) '\(text)' has an empty entry: give a comma list such as \(example(option))")
        }
        return items
    }

    /// Parses every entry of a comma list with `parse`, dropping repeats but keeping order.
    public static func parse<T: Equatable>(_ text: String, option: String,
                                           _ parse: (String) throws -> T) throws -> [T] {
        var values: [T] = []
        for item in try split(text, option: option) {
            let value = try parse(item)
            if !values.contains(value) { values.append(value) }
        }
        return values
    }

    static func example(_ option: String) -> String {
        switch option {
        case "--mode": return "nat,dr"
        case "--scheduler": return "rr,wrr"
        case "--profile": return "default"
        case "--reals": return "1,2,4,8"
        default: return "a,b"
        }
    }
}
