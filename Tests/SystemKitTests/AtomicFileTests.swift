import SystemKit
import XCTest

final class AtomicFileTests: XCTestCase {
    private struct Doc: Codable, Equatable { var name: String; var value: Int }

    func testWritesAndReplacesWithoutLeavingTemporaries() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sub/doc.json").path
        try AtomicFile.writeJSON(Doc(name: "a", value: 1), to: path)
        try AtomicFile.writeJSON(Doc(name: "b", value: 2), to: path)
        let back = try JSONCoding.decode(Doc.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(back, Doc(name: "b", value: 2))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("sub").path)
        XCTAssertEqual(files, ["doc.json"])
    }

    func testUnwritablePathIsAOneLineError() throws {
        // A path below a regular file cannot be created, even by root.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-file-\(UUID())")
        XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: Data()))
        defer { try? FileManager.default.removeItem(at: file) }
        XCTAssertThrowsError(try AtomicFile.write("x", to: file.path + "/sub/doc.json")) { error in
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }
}
