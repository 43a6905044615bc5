import Foundation
import SystemKit
import XCTest

final class DetachedProcessLogTests: XCTestCase {
    /// A link planted at a daemon's log name must not make it append to another file.
    func testLogIsNotOpenedThroughALink() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dp-link-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let victim = dir + "/victim"
        try Data("untouched".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: dir + "/server.log", withDestinationPath: victim)
        var pid: Int32?
        XCTAssertThrowsError(pid = try DetachedProcess.spawn(["echo", "appended"], log: dir + "/server.log"))
        if let pid { while DetachedProcess.isAlive(pid) { usleep(10_000) } }
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "untouched")
    }
}
