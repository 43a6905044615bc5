import Foundation
import XCTest

/// Recorded /proc text (scripts/record-collector-fixtures.sh) from both kernels here.
enum Fixtures {
    static let guest = "guest-6.1-director"
    static let hostNetns = "host-6.18-netns"
    static let hostRoot = "host-6.18-root"
    static let kernels = [guest, hostNetns, hostRoot]
    /// UML directors with IPVS: the fixture script's (nat) and the lab's in dr and tun.
    static let directors = [guest, "guest-6.1-lab-dr", "guest-6.1-lab-tun"]

    static func text(_ kernel: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        guard let base = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            XCTFail("Fixtures directory missing from the test bundle", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return try String(contentsOf: base.appendingPathComponent(kernel).appendingPathComponent(name), encoding: .utf8)
    }

    /// Every prefix of `text` that ends inside a line (not at a line end), at most `count`
    /// of them spread over the text.
    static func cuts(_ text: String, count: Int = 60) -> [String] {
        let chars = Array(text)
        let step = max(1, chars.count / count)
        return stride(from: 1, to: chars.count - 1, by: step).compactMap { i in
            chars[i - 1] == "\n" || chars[i] == "\n" ? nil : String(chars[..<i])
        }
    }
}
