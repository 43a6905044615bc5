import Foundation
import Lab
import SystemKit
import XCTest

/// The UML director's agent runs anything as root in a guest whose root is the host's `/`.
/// In a NAT lab the reals' default route is the director, so a process on a real (an nginx
/// worker, say) can reach the guest: this checks, against a live lab, that such a process,
/// unprivileged, gets nothing run — neither from the real's namespace (the agent accepts
/// only on the management link) nor even from the switch namespace that link lives in
/// (every request must carry the lab's secret) — while the lab's own lvsbench still works.
final class GuestAgentSecurityTests: XCTestCase {
    private let labName = "agentsec"

    override func setUpWithError() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        try XCTSkipUnless(ToolLocator.find("linux.uml") != nil, "needs user-mode-linux")
        try XCTSkipUnless(ToolLocator.find("setpriv") != nil, "needs setpriv (util-linux) to act as nobody")
    }

    func testNobodyOnARealGetsNothingRunByTheAgent() throws {
        defer {
            let r = try? LabCLI.run(["lab", "down", "--name", labName])
            XCTAssertEqual(r?.status, 0, "lab down: \(r?.stderr ?? "")")
        }
        let lab = try LabCLI.up(["--name", labName, "--mode", "nat", "--reals", "2", "--director", "uml"])
        let labDirectory = lab.state.labDirectory
        let secretHex = String(decoding: try AgentSecret.read(from: AgentSecret.path(labDirectory: labDirectory)).line,
                               as: UTF8.self)

        // The marker lies in the executable's directory, which the guest sees at
        // /mnt/lvsbench (its own /tmp and /run would hide a marker from the host).
        let tag = "agent-marker-\(getpid())"
        let hostMarker = URL(fileURLWithPath: LabCLI.binary).deletingLastPathComponent().path + "/" + tag
        let guestMarker = "/mnt/lvsbench/" + tag
        defer {
            try? FileManager.default.removeItem(atPath: hostMarker)
            try? FileManager.default.removeItem(atPath: hostMarker + "-control")
        }
        // Control: the lab's own lvsbench gets a marker made, so its absence below means something.
        XCTAssertEqual(try lab.director.run(["touch", guestMarker + "-control"], timeout: 30).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: hostMarker + "-control"), "the control marker is not visible")

        let touch = #"{"argv":["touch","\#(guestMarker)"]}"#
        let readSecret = #"{"argv":[],"read":["\#(GuestInit.guestSecretPath)"]}"#
        let wrong = String(decoding: try AgentSecret.generate().line, as: UTF8.self)
        let attempts: [(String, [String])] = [
            ("no secret (old format)", [touch]),
            ("no secret, read the secret file", [readSecret]),
            ("wrong secret", [wrong, touch]),
            ("wrong length", [String(wrong.prefix(63)), touch]),
        ]
        let real1 = lab.state.node(named: "real1")!.namespace
        let agent = lab.state.agentAddress!.split(separator: ":").map(String.init)
        for (namespace, place) in [(real1, "real1"), (lab.state.switchNamespace, "the switch namespace")] {
            for (what, lines) in attempts {
                let r = try asNobody(in: namespace, host: agent[0], port: agent[1], send: lines)
                let context = "\(place), \(what): status \(r.status), out \(r.stdout), err \(r.stderr)"
                XCTAssertTrue(r.stderr.contains("uid=65534"), context)
                XCTAssertFalse(FileManager.default.fileExists(atPath: hostMarker), "the agent ran a command: \(context)")
                XCTAssertFalse(r.stdout.contains("\"files\""), "the agent read a file: \(context)")
                XCTAssertFalse(r.stdout.contains(secretHex), context)
                if namespace == real1 {
                    // A reset: the guest got the SYN (the real routes to it) and no socket took it.
                    XCTAssertTrue(r.stderr.contains("Connection refused"), context)
                } else {
                    XCTAssertTrue(r.stdout.contains("\"refused\":true"), context)
                }
            }
        }

        let exec = try LabCLI.run(["lab", "exec", "--name", labName, "director", "--", "ipvsadm", "-Ln"])
        XCTAssertEqual(exec.status, 0, exec.stderr)
        XCTAssertTrue(exec.stdout.contains("\(lab.vip):80"), exec.stdout)
    }

    /// What the guest and the host keep for the agent is root's alone.
    func testTheLabKeepsItsFilesPrivate() throws {
        defer { _ = try? LabCLI.run(["lab", "down", "--name", labName]) }
        let lab = try LabCLI.up(["--name", labName, "--mode", "nat", "--reals", "1", "--director", "uml"])
        let dir = lab.state.labDirectory
        for path in [LabEnvironment.runDirectory, LabEnvironment.labsDirectory, dir] {
            XCTAssertEqual(try mode(path), 0o700, path)
        }
        XCTAssertEqual(try mode(AgentSecret.path(labDirectory: dir)), 0o600)
        XCTAssertEqual(try mode(dir + "/guest-init"), 0o700)
        let inGuest = try lab.director.run(["stat", "-c", "%a %s", GuestInit.guestSecretPath, "/mnt/agent"], timeout: 30)
        XCTAssertEqual(inGuest.stdout.split(separator: "\n").map { $0.split(separator: " ")[0] }, ["600", "700"], inGuest.stderr)
        XCTAssertTrue(inGuest.stdout.hasPrefix("600 32\n"), inGuest.stdout)
    }

    /// A run directory someone else owns, or below a directory others may write, could have
    /// its guest init or agent secret swapped: `lab up` refuses it before building anything.
    func testLabUpRefusesARunDirectoryOthersControl() throws {
        let base = try PrivateDirectory.makeTemporary(in: FileManager.default.temporaryDirectory.path, prefix: "rundir")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let foreign = base + "/foreign", open = base + "/open"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: false)
        XCTAssertEqual(chown(foreign, 65534, 65534), 0)
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false)
        chmod(open, 0o777)
        let prefix = LabEnvironment.prefix + "r"
        for (runDirectory, why) in [(foreign, "belongs to uid 65534"), (open + "/run", "writable by others")] {
            let r = try LabCLI.run(["lab", "up", "--name", "x", "--mode", "nat", "--reals", "1", "--director", "uml"],
                                   env: ["LVSBENCH_RUN_DIR": runDirectory, "LVSBENCH_PREFIX": prefix])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(why), r.stderr)
            XCTAssertEqual(LabTests.leftovers(prefix: prefix, runDirectory: runDirectory), [])
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: foreign), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: open), [])
    }

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try XCTUnwrap(attributes[.posixPermissions] as? NSNumber).intValue
    }

    /// Connects as nobody from `namespace` with bash's /dev/tcp, sends `lines`, returns what came back.
    private func asNobody(in namespace: String, host: String, port: String, send lines: [String]) throws -> ProcessResult {
        let script = #"id >&2; exec 3<>"/dev/tcp/$1/$2" || exit 7; shift 2; printf '%s\n' "$@" >&3; timeout 10 cat <&3"#
        return try ProcessRunner.run(["ip", "netns", "exec", namespace, "setpriv", "--reuid=65534", "--regid=65534",
                                      "--clear-groups", "bash", "-c", script, "attacker", host, port] + lines, timeout: 30)
    }
}
