import Foundation
import SystemKit
import XCTest

final class PrivateDirectoryTests: XCTestCase {
    private var base = ""

    override func setUpWithError() throws {
        base = try PrivateDirectory.makeTemporary(in: FileManager.default.temporaryDirectory.path, prefix: "private-dir")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: base)
    }

    private func mode(_ path: String) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber).intValue
    }

    func testMakeTemporaryIsPrivateAndUnique() throws {
        XCTAssertEqual(try mode(base), 0o700)
        let a = try PrivateDirectory.makeTemporary(in: base, prefix: "x"), b = try PrivateDirectory.makeTemporary(in: base, prefix: "x")
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(try mode(a), 0o700)
    }

    /// The run directory, the labs directory and the lab are all 0700, whether new or left
    /// 0755 by an older lvsbench.
    func testCreatesEveryLevelFromTheTopAs0700() throws {
        let run = base + "/run", lab = run + "/labs/one"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        try PrivateDirectory.create(lab, from: run)
        for path in [run, run + "/labs", lab] { XCTAssertEqual(try mode(path), 0o700, path) }
        try PrivateDirectory.create(lab, from: run)
        XCTAssertEqual(try mode(lab), 0o700, "creating again is fine")
    }

    func testRefusesALinkInPlaceOfADirectory() throws {
        let elsewhere = base + "/elsewhere", run = base + "/run"
        try FileManager.default.createDirectory(atPath: elsewhere + "/labs", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: run, withDestinationPath: elsewhere)
        XCTAssertThrowsError(try PrivateDirectory.create(run + "/labs/one", from: run))
        XCTAssertFalse(FileManager.default.fileExists(atPath: elsewhere + "/labs/one"))
    }

    /// A directory others may write (not sticky) above the run directory lets them swap it.
    func testRefusesAnAncestorOthersCanWrite() throws {
        let open = base + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false)
        chmod(open, 0o777)
        XCTAssertThrowsError(try PrivateDirectory.create(open + "/run/labs/x", from: open + "/run")) { error in
            XCTAssertTrue("\(error)".contains("writable by others"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: open + "/run"))
        chmod(open, 0o1777)
        XCTAssertNoThrow(try PrivateDirectory.create(open + "/run/labs/x", from: open + "/run"), "sticky, like /tmp")
        XCTAssertThrowsError(try PrivateDirectory.requireUnwritableByOthers(open))
        XCTAssertNoThrow(try PrivateDirectory.requireUnwritableByOthers(open + "/run/labs/x"))
    }

    func testRefusesADirectoryOfAnotherUser() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root to give a directory to nobody")
        let run = base + "/run"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: false)
        XCTAssertEqual(chown(run, 65534, 65534), 0)
        XCTAssertThrowsError(try PrivateDirectory.create(run + "/labs/x", from: run)) { error in
            XCTAssertTrue("\(error)".contains("belongs to uid 65534"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/labs"))
    }
}
