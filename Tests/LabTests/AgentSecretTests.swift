import Foundation
@testable import Lab
import SystemKit
import XCTest

/// The guest agent's request check, without a lab: the secret line, its file, and the agent's
/// handling of one connection (over a socket pair) for good and bad requests.
final class AgentSecretTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try PrivateDirectory.makeTemporary(in: FileManager.default.temporaryDirectory.path, prefix: "agent-secret")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testAcceptsOnlyItsOwnSecretLine() throws {
        let secret = try AgentSecret.generate()
        let good = secret.line
        XCTAssertEqual(good.count, 64)
        XCTAssertTrue(secret.accepts(good))

        var wrongLast = good
        wrongLast[63] = wrongLast[63] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        var wrongFirst = good
        wrongFirst[0] = wrongFirst[0] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        XCTAssertFalse(secret.accepts(wrongLast), "wrong secret (last digit)")
        XCTAssertFalse(secret.accepts(wrongFirst), "wrong secret (first digit)")
        XCTAssertFalse(secret.accepts(try AgentSecret.generate().line), "another lab's secret")
        XCTAssertFalse(secret.accepts([]), "missing secret")
        XCTAssertFalse(secret.accepts(Array(#"{"argv":["touch","/x"]}"#.utf8)), "old-format request")
        XCTAssertFalse(secret.accepts(Array(good.dropLast())), "too short")
        XCTAssertFalse(secret.accepts(good + [UInt8(ascii: "0")]), "too long")
        XCTAssertFalse(secret.accepts(secret.bytes), "the raw bytes are not the line")
        let upper = Array(String(decoding: good, as: UTF8.self).uppercased().utf8)
        if upper != good { XCTAssertFalse(secret.accepts(upper), "upper-case hex is another line") }
    }

    func testGeneratedSecretsAreFresh() throws {
        let a = try AgentSecret.generate(), b = try AgentSecret.generate()
        XCTAssertEqual(a.bytes.count, 32)
        XCTAssertNotEqual(a, b)
        XCTAssertFalse(a.bytes.allSatisfy { $0 == 0 })
    }

    func testFileIsCreatedExclusivelyWithMode0600() throws {
        let path = dir + "/agent.secret"
        let secret = try AgentSecret.generate()
        try secret.write(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual((attributes[.size] as? NSNumber)?.intValue, 32)
        XCTAssertEqual(try AgentSecret.read(from: path), secret)
        XCTAssertThrowsError(try AgentSecret.generate().write(to: path), "an existing secret is never overwritten")
        XCTAssertEqual(try AgentSecret.read(from: path), secret)
    }

    func testWriteDoesNotFollowAPlantedLink() throws {
        let victim = dir + "/victim"
        try Data("untouched".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: dir + "/agent.secret", withDestinationPath: victim)
        XCTAssertThrowsError(try AgentSecret.generate().write(to: dir + "/agent.secret"))
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "untouched")
        XCTAssertThrowsError(try AgentSecret.read(from: dir + "/agent.secret"), "reading does not follow a link either")
    }

    func testReadRefusesAFileOfTheWrongLength() throws {
        for count in [0, 31, 33, 64] {
            let path = dir + "/s\(count)"
            try Data(repeating: 7, count: count).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try AgentSecret.read(from: path), "\(count) bytes") { error in
                XCTAssertTrue("\(error)".contains("not 32"), "\(error)")
            }
        }
        XCTAssertThrowsError(try AgentSecret.read(from: dir + "/missing"))
    }

    /// The agent's connection handler: nothing runs unless the first line is the secret.
    func testAgentRunsNothingWithoutTheSecret() throws {
        let secret = try AgentSecret.generate()
        let marker = dir + "/marker"
        let touch = Array(#"{"argv":["touch","\#(marker)"]}"#.utf8) + [0x0A]
        var wrong = secret.line
        wrong[10] = wrong[10] == UInt8(ascii: "f") ? UInt8(ascii: "e") : UInt8(ascii: "f")
        let attempts: [(String, [UInt8])] = [
            ("old format, no secret", touch),
            ("wrong secret", wrong + [0x0A] + touch),
            ("wrong length", Array(secret.line.prefix(63)) + [0x0A] + touch),
            ("secret too long", secret.line + [UInt8(ascii: "0"), 0x0A] + touch),
            ("empty secret line", [0x0A] + touch),
        ]
        for (what, request) in attempts {
            let reply = try exchange(request, secret: secret)
            XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "\(what): the command ran")
            let response = try JSONDecoder().decode(GuestAgent.Response.self, from: Data(reply))
            XCTAssertEqual(response.refused, true, what)
            XCTAssertNotEqual(response.status, 0, what)
        }
        let read = Array(#"{"argv":[],"read":["\#(dir)"]}"#.utf8) + [0x0A]
        let readReply = try JSONDecoder().decode(GuestAgent.Response.self, from: Data(try exchange(read, secret: secret)))
        XCTAssertNil(readReply.files, "an old-format read request read something")

        let reply = try exchange(secret.line + [0x0A] + touch, secret: secret)
        let response = try JSONDecoder().decode(GuestAgent.Response.self, from: Data(reply))
        XCTAssertEqual(response.status, 0, "with the secret the request runs: \(response.stderr)")
        XCTAssertNil(response.refused)
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker))
    }

    /// Sends `request` to `GuestAgent.handle` over a socket pair; returns the reply line.
    private func exchange(_ request: [UInt8], secret: AgentSecret) throws -> [UInt8] {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        let client = Socket(fd: fds[0]), server = Socket(fd: fds[1])
        defer { client.close() }
        let done = DispatchSemaphore(value: 0)
        Thread { GuestAgent.handle(server, secret: secret); done.signal() }.start()
        XCTAssertTrue(client.writeAll(request))
        client.setReceiveTimeout(30)
        let reply = client.readLine()
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success)
        return try XCTUnwrap(reply, "no reply")
    }
}
