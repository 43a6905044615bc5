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

    /// The temporary file once had a guessable name (`.<name>.tmp-<pid>`): a link planted
    /// there must not make a write as root land in another file.
    func testDoesNotFollowALinkPlantedAtTheOldTemporaryName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let victim = dir + "/victim", target = dir + "/doc.json"
        try Data("untouched".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: dir + "/.doc.json.tmp-\(getpid())", withDestinationPath: victim)
        try AtomicFile.write("new", to: target)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "untouched")
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "new")
        let attributes = try FileManager.default.attributesOfItem(atPath: target)
        XCTAssertEqual(attributes[.type] as? FileAttributeType, .typeRegular)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o644)
    }

    func testModeIsExact() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write("#!/bin/sh\n", to: dir + "/init", mode: 0o700)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/init")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["init"])
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
