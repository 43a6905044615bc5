import Foundation
import SystemKit
import XCTest
@testable import Lab

/// The agent's stream of read requests (`AgentStream`, `GuestAgent.Session`) against an
/// agent served on loopback in this process: framing, kept-open files, and both directions
/// of compatibility (a newer caller of an older agent, an older caller of a newer agent).
final class AgentStreamTests: XCTestCase {
    private var directory = ""
    private var secretFile = ""

    override func setUpWithError() throws {
        directory = try PrivateDirectory.makeTemporary(in: FileManager.default.temporaryDirectory.path, prefix: "agentstream")
        secretFile = directory + "/" + AgentSecret.fileName
        try AgentSecret.generate().write(to: secretFile)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testOldRequestsAndResponsesStillDecode() throws {
        let old = try JSONDecoder().decode(GuestAgent.Request.self, from: Data(#"{"argv":[],"read":["/proc/stat"],"ipvsReals":true}"#.utf8))
        XCTAssertNil(old.keepOpen)
        XCTAssertEqual(old.read, ["/proc/stat"])
        let response = try JSONDecoder().decode(GuestAgent.Response.self, from: Data(#"{"status":0,"stdout":"","stderr":"","files":{}}"#.utf8))
        XCTAssertNil(response.keptOpen)
        // A caller that does not stream sends exactly what it sent before streams existed.
        let plain = String(decoding: try JSONEncoder().encode(GuestAgent.Request(argv: ["true"], timeout: 5)), as: UTF8.self)
        XCTAssertFalse(plain.contains("keepOpen"), plain)
        let streamed = try JSONDecoder().decode(GuestAgent.Request.self,
                                                from: try JSONEncoder().encode(GuestAgent.Request(argv: [], read: ["/a"], keepOpen: true)))
        XCTAssertEqual(streamed.keepOpen, true)
    }

    func testLineReaderSplitsLinesAcrossAndWithinReceives() throws {
        let (a, b) = try socketPair()
        defer { a.close(); b.close() }
        var reader = LineReader()
        XCTAssertTrue(a.writeAll(Array("one\ntw".utf8)))
        XCTAssertEqual(reader.next(from: b).map { String(decoding: $0, as: UTF8.self) }, "one")
        XCTAssertTrue(a.writeAll(Array("o\n\nthree\n".utf8)))
        XCTAssertEqual(reader.next(from: b).map { String(decoding: $0, as: UTF8.self) }, "two")
        XCTAssertEqual(reader.next(from: b), [])
        XCTAssertEqual(reader.next(from: b).map { String(decoding: $0, as: UTF8.self) }, "three")
        let long = [UInt8](repeating: 0x41, count: 100_000)
        XCTAssertTrue(a.writeAll(long + [0x0A] + Array("tail".utf8)))
        XCTAssertEqual(reader.next(from: b), long, "a line longer than the buffer grows it")
        a.close()
        XCTAssertNil(reader.next(from: b), "a last line without its newline is not a line")
    }

    func testLineReaderRefusesOverlongLines() throws {
        let (a, b) = try socketPair()
        defer { a.close(); b.close() }
        let writer = Thread { _ = a.writeAll([UInt8](repeating: 0x41, count: LineReader.limit + 10)) }
        writer.start()
        var reader = LineReader()
        XCTAssertNil(reader.next(from: b))
    }

    func testKeptFilesRereadFromTheStartAndMatchFileReader() throws {
        let files = KeptFiles(keptBelow: [directory + "/"])
        defer { files.close() }
        let path = directory + "/f"
        try "first version, the longer one\n".write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(files.read(path), FileReader.read(path))
        XCTAssertEqual(files.read(path).content, "first version, the longer one\n")
        // Rewritten in place (same inode, so the kept descriptor sees it): shorter, then larger than the buffer.
        try Data("second\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(files.read(path).content, "second\n")
        let big = String(repeating: "0123456789abcdef\n", count: 10_000)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.write(Data(big.utf8))
        handle.closeFile()
        XCTAssertEqual(files.read(path).content, big)

        let missing = directory + "/later"
        XCTAssertEqual(files.read(missing), FileReader.read(missing))
        XCTAssertTrue(files.read(missing).isMissing)
        try "now here\n".write(toFile: missing, atomically: false, encoding: .utf8)
        XCTAssertEqual(files.read(missing).content, "now here\n", "a missing file is opened again next time")
        XCTAssertEqual(files.read(directory), FileReader.read(directory), "a directory's error is FileReader's")
        XCTAssertNotNil(files.read(directory).error)

        let stat = files.read("/proc/self/stat")
        XCTAssertEqual(stat.content?.split(separator: " ").first.map(String.init), "\(getpid())")
        XCTAssertEqual(files.read("/proc/self/stat").content?.split(separator: " ").count, stat.content?.split(separator: " ").count)
    }

    /// Files outside /proc and /sys are read afresh: one replaced under its name is seen.
    func testKeptFilesKeepOnlyProcAndSys() throws {
        let files = KeptFiles()
        defer { files.close() }
        let path = directory + "/replaced"
        try "old\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(files.read(path).content, "old\n")
        try "new\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(files.read(path).content, "new\n")
        XCTAssertEqual(files.read("/proc/sys/kernel/ostype"), FileReader.read("/proc/sys/kernel/ostype"))
        XCTAssertEqual(files.read("/proc/sys/kernel/ostype").content, "Linux\n")
    }

    /// A session keeps one connection for many requests, and each answer is fresh.
    func testSessionStreamsOverOneConnection() throws {
        let agent = try LoopbackAgent(secretFile: secretFile, mode: .current)
        defer { agent.stop() }
        let session = GuestAgent.Session(address: agent.address, namespace: nil, secretFile: secretFile)
        defer { session.close() }
        let path = directory + "/counter"
        for i in 1...5 {
            try "\(i)\n".write(toFile: path, atomically: false, encoding: .utf8)
            let files = try session.read([path, directory + "/none"])
            XCTAssertEqual(files[path]?.content, "\(i)\n")
            XCTAssertEqual(files[directory + "/none"]?.isMissing, true)
        }
        XCTAssertEqual(try session.read(["/proc/self/stat"])["/proc/self/stat"]?.content?.isEmpty, false,
                       "a different request on the same stream")
        XCTAssertEqual(agent.accepted, 1)

        // The agent ends the stream (idle timeout, restarted guest): the next request reconnects once.
        agent.dropConnections()
        XCTAssertEqual(try session.read([path])[path]?.content, "5\n")
        XCTAssertEqual(agent.accepted, 2)
    }

    /// An agent from before streams answers once and closes: every request then gets a
    /// connection of its own, and all are answered.
    func testSessionFallsBackToAConnectionPerRequestWithAnOlderAgent() throws {
        let agent = try LoopbackAgent(secretFile: secretFile, mode: .old)
        defer { agent.stop() }
        let session = GuestAgent.Session(address: agent.address, namespace: nil, secretFile: secretFile)
        let path = directory + "/f"
        try "x\n".write(toFile: path, atomically: false, encoding: .utf8)
        for _ in 1...3 { XCTAssertEqual(try session.read([path])[path]?.content, "x\n") }
        XCTAssertEqual(agent.accepted, 3)
    }

    func testSessionWithTheWrongSecretIsRefused() throws {
        let agent = try LoopbackAgent(secretFile: secretFile, mode: .current)
        defer { agent.stop() }
        let wrong = directory + "/wrong.secret"
        try AgentSecret.generate().write(to: wrong)
        let session = GuestAgent.Session(address: agent.address, namespace: nil, secretFile: wrong)
        XCTAssertThrowsError(try session.read(["/proc/self/stat"])) { error in
            XCTAssertTrue("\(error)".contains("refused"), "\(error)")
        }
    }

    private func socketPair() throws -> (Socket, Socket) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw RuntimeFailure("socketpair failed") }
        return (Socket(fd: fds[0]), Socket(fd: fds[1]))
    }
}

/// The agent's request handling on a loopback port; `.old` answers as an agent from before
/// streams did (one response, then close), whatever the request asks.
private final class LoopbackAgent: @unchecked Sendable {
    enum Mode { case current, old }
    let address: String
    private let server: Socket
    private let lock = NSLock()
    private var count = 0
    private var connections: [Int32] = []

    init(secretFile: String, mode: Mode) throws {
        let server = try Socket.listen("127.0.0.1:0")
        self.server = server
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(server.fd, $0, &len) } }
        address = "127.0.0.1:\(UInt16(bigEndian: addr.sin_port))"
        let secret = try AgentSecret.read(from: secretFile)
        Thread { [self] in
            while let conn = server.accept() {
                lock.lock()
                count += 1
                if mode == .current { connections.append(conn.fd) }
                lock.unlock()
                DispatchQueue.global().async {
                    switch mode {
                    case .current: GuestAgent.handle(conn, secret: secret)
                    case .old:
                        defer { conn.close() }
                        guard let first = conn.readLine(), secret.accepts(first), let line = conn.readLine(),
                              let request = try? JSONDecoder().decode(GuestAgent.Request.self, from: Data(line)),
                              var data = try? JSONEncoder().encode(GuestAgent.answer(request)) else { return }
                        data.append(0x0A)
                        _ = conn.writeAll([UInt8](data))
                    }
                }
            }
        }.start()
    }

    var accepted: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    /// Shuts down every accepted connection, as an agent that ends a stream does.
    func dropConnections() {
        lock.lock()
        defer { lock.unlock() }
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
        connections = []
    }

    func stop() {
        dropConnections()
        shutdown(server.fd, Int32(SHUT_RDWR))
        server.close()
    }
}
