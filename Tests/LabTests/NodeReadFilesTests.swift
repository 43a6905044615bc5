import Foundation
import SystemKit
import XCTest
@testable import Lab

/// `LabNode.readFiles` on both kinds of node: the UML director's agent reading in-process
/// and a namespace's single `sh`+`grep`, each checked against `cat` in the same node.
final class NodeReadFilesTests: XCTestCase {
    func testNamespaceOutputSplitsByPathAndKeepsEmptyFilesApartFromMissingOnes() {
        let m = NamespaceNode.filesMarker
        let stdout = "/p/a\n/p/a:b\n/p/empty\n\(m)\n/p/a:x: 1\n/p/a:b:y\n/p/a:\n/p/a:z\n"
        let (files, unreadable) = NamespaceNode.parseFiles(stdout, stderr: "grep: /p/gone: No such file or directory\n",
                                                           paths: ["/p/a", "/p/a:b", "/p/empty", "/p/gone"])
        XCTAssertEqual(files, ["/p/a": "x: 1\n\nz\n", "/p/a:b": "y\n", "/p/empty": ""])
        XCTAssertEqual(unreadable, [])
        let failed = NamespaceNode.parseFiles("/p/a\n\(m)\n", stderr: "grep: /p/a: Permission denied\n", paths: ["/p/a"])
        XCTAssertEqual(failed.unreadable, ["/p/a"])
    }

    func testFileReaderReadsProcUntilTheEndAndNamesMissingFiles() throws {
        let stat = FileReader.read("/proc/self/status")
        XCTAssertTrue(stat.content?.contains("\nPid:\t\(getpid())\n") ?? false, "\(stat)")
        let gone = FileReader.read("/nonexistent/lvsbench-read-test")
        XCTAssertNil(gone.content)
        XCTAssertTrue(gone.isMissing)
        XCTAssertTrue(gone.error?.contains("/nonexistent/lvsbench-read-test") ?? false)
        XCTAssertFalse(FileReader.read("/proc/self").isMissing, "a directory is an error, not missing")
    }

    /// A live nat lab with a UML director: the agent's read request gives what `cat` gives.
    func testLiveLabReadsMatchCat() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        let name = "readfiles"
        defer {
            let r = try? LabCLI.run(["lab", "down", "--name", name])
            XCTAssertEqual(r?.status, 0, "lab down: \(r?.stderr ?? "")")
        }
        let lab = try LabCLI.up(["--name", name, "--mode", "nat", "--reals", "1", "--director", "uml"])
        XCTAssertTrue(lab.director is GuestNode)
        let missing = "/proc/net/lvsbench-no-such-file"
        // The lab is idle, but IPVS folds its per-CPU counters into these totals only every
        // 2 s (its estimator), so lab up's own check connection may appear between two
        // reads: a read must equal `cat` just before or just after it.
        let stats = "/proc/net/ip_vs_stats"
        func assertMatchesCat(_ read: () throws -> String?, _ what: String) throws {
            let before = try lab.director.check(["cat", stats]).stdout
            let got = try read()
            let after = try lab.director.check(["cat", stats]).stdout
            XCTAssertTrue(got == before || got == after, "\(what): \(got ?? "nil") is neither \(before) nor \(after)")
        }
        let director = try lab.director.readFiles([stats, "/proc/stat", missing])
        XCTAssertEqual(Set(director.keys), [stats, "/proc/stat"], "a missing path is absent, not an error")
        try assertMatchesCat({ try lab.director.readFiles([stats])[stats] }, "read request")
        try assertMatchesCat({ try lab.director.readFile(stats) }, "readFile")
        Self.assertSameShape(director["/proc/stat"], try lab.director.check(["cat", "/proc/stat"]).stdout)
        XCTAssertThrowsError(try lab.director.readFile(missing))

        // Over a session the agent keeps the files open and rereads them with pread: the
        // guest kernel's /proc answers each request afresh and in full.
        let session = try XCTUnwrap(lab.director as? GuestNode).session()
        defer { session.close() }
        for _ in 0..<3 {
            try assertMatchesCat({ try session.read([stats])[stats]?.content }, "stream")
            let streamed = try session.read([stats, "/proc/stat", missing])
            Self.assertSameShape(streamed["/proc/stat"]?.content, try lab.director.check(["cat", "/proc/stat"]).stdout)
            XCTAssertEqual(streamed[missing]?.isMissing, true)
        }

        let client = try lab.client.readFiles(["/proc/sys/net/ipv4/ip_forward", "/proc/stat", missing])
        XCTAssertEqual(Set(client.keys), ["/proc/sys/net/ipv4/ip_forward", "/proc/stat"])
        XCTAssertEqual(client["/proc/sys/net/ipv4/ip_forward"], try lab.client.readFile("/proc/sys/net/ipv4/ip_forward"))
        Self.assertSameShape(client["/proc/stat"], try lab.client.check(["cat", "/proc/stat"]).stdout)

        // Kept open from a thread inside each namespace (the collector's way, no process):
        // each node's own sysctls and links, read afresh every time.
        let forward = "/proc/sys/net/ipv4/ip_forward", dev = "/proc/net/dev"
        func links(_ text: String?) -> Set<String> {
            Set((text ?? "").split(separator: "\n").dropFirst(2).map { String($0.split(separator: ":")[0]).trimmingCharacters(in: .whitespaces) })
        }
        for node in [lab.client, lab.router] {
            let ns = try XCTUnwrap(node as? NamespaceNode)
            let kept = try NamespaceFiles(namespace: ns.namespace, paths: [forward, dev, "/proc/stat", missing])
            defer { kept.close() }
            for round in 0..<2 {
                let read = try kept.read([forward, dev, "/proc/stat", missing])
                XCTAssertEqual(Set(read.keys), [forward, dev, "/proc/stat"], "\(node.name): a missing path is absent")
                XCTAssertEqual(read[forward], try node.readFile(forward), "\(node.name), round \(round)")
                XCTAssertEqual(links(read[dev]), links(try node.readFile(dev)), "\(node.name), round \(round)")
                Self.assertSameShape(read["/proc/stat"], try node.check(["cat", "/proc/stat"]).stdout)
            }
        }
        XCTAssertThrowsError(try NamespaceFiles(namespace: "lvsbench-no-such-namespace", paths: [forward]))
    }

    /// /proc/stat's counters move between two reads; its lines, their labels and field
    /// counts, and the boot time do not.
    static func assertSameShape(_ read: String?, _ cat: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let read else { return XCTFail("/proc/stat not read", file: file, line: line) }
        func shape(_ text: String) -> [String] {
            text.split(separator: "\n", omittingEmptySubsequences: false).map { l in
                let f = l.split(separator: " ")
                return f.first == "btime" ? String(l) : "\(f.first ?? "") \(f.count)"
            }
        }
        XCTAssertTrue(read.hasSuffix("\n"), file: file, line: line)
        XCTAssertEqual(shape(read), shape(cat), file: file, line: line)
    }
}
