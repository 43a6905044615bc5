import Foundation
import SystemKit
import TestSupport
import XCTest

/// A test class that drives `lvsbench` against real labs under a namespace prefix of its
/// own: each test gets a scratch directory for its results, and afterwards every lab of the
/// prefix is taken down and its run directory removed, also when the test failed midway.
class LiveCLITestCase: XCTestCase {
    /// The class's namespace prefix (`TestPrefix.named` with a suffix no other class uses).
    class var prefix: String { TestPrefix.named("Ex") }
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lvsbench-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
        if Privileges.isRoot {
            _ = try? ProcessRunner.run([CLI.path, "lab", "down", "--all"], environment: CLI.environment(prefix: Self.prefix))
            CLI.removeRunDirectory(prefix: Self.prefix)
        }
    }
}
