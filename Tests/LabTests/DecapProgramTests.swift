import Foundation
import Lab
import SystemKit
import XCTest

/// tc loads the decapsulator into the kernel as root: it must never come from, or be built
/// in, a directory someone else can write.
final class DecapProgramTests: XCTestCase {
    private var base = ""

    override func setUpWithError() throws {
        base = try PrivateDirectory.makeTemporary(in: FileManager.default.temporaryDirectory.path, prefix: "decap")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: base)
    }

    func testRefusesADirectoryOthersCanWrite() throws {
        let open = base + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false)
        chmod(open, 0o1777)
        let planted = Data("not a BPF object".utf8)
        try planted.write(to: URL(fileURLWithPath: open + "/decap.o"))
        XCTAssertThrowsError(try DecapProgram.object(in: open)) { error in
            XCTAssertTrue("\(error)".contains("only uid"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: open), ["decap.o"], "nothing built there")
    }

    func testRefusesAnObjectOthersCanWrite() throws {
        let lab = base + "/lab"
        try PrivateDirectory.create(lab, from: lab)
        try Data("planted".utf8).write(to: URL(fileURLWithPath: lab + "/decap.o"))
        chmod(lab + "/decap.o", 0o666)
        XCTAssertThrowsError(try DecapProgram.object(in: lab))
    }

    func testBuildsInsideThePrivateDirectoryAndLeavesOnlyTheObject() throws {
        try XCTSkipUnless(DecapProgram.clang() != nil, "needs clang")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/include/linux/bpf.h"), "needs linux-libc-dev")
        let lab = base + "/lab"
        try PrivateDirectory.create(lab, from: lab)
        let obj = try DecapProgram.object(in: lab)
        XCTAssertEqual(obj, lab + "/decap.o")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: lab), ["decap.o"], "the build directory is gone")
        let attributes = try FileManager.default.attributesOfItem(atPath: obj)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let elf = try XCTUnwrap(FileManager.default.contents(atPath: obj))
        XCTAssertEqual(Array(elf.prefix(4)), [0x7F, 0x45, 0x4C, 0x46])
        XCTAssertEqual(try DecapProgram.object(in: lab), obj, "reused")
    }
}
