import Foundation
import IPVSControl
import Lab
import SystemKit
import TestSupport
import XCTest

/// Drives the CLI binary and a lab's nodes for the lab tests.
enum LabCLI {
    static var binary: String { BuiltBinary.lvsbench }

    /// Runs `lvsbench args...` with this process's environment plus `env`.
    @discardableResult
    static func run(_ args: [String], env: [String: String] = [:], timeout: Double = 180) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment.merge(env) { $1 }
        environment["LVSBENCH_EXE"] = binary
        return try ProcessRunner.run([binary] + args, timeout: timeout, environment: environment)
    }

    /// `lab up`, failing the test with the CLI's message when it fails.
    static func up(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> RunningLab {
        let r = try run(["lab", "up"] + args)
        guard r.succeeded else {
            XCTFail("lab up \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)", file: file, line: line)
            throw RuntimeFailure("lab up failed")
        }
        let name = args.firstIndex(of: "--name").map { args[$0 + 1] } ?? LabSpec.defaultName
        setenv("LVSBENCH_EXE", binary, 1)
        return try LabEngine.open(name: name)
    }
}

/// What a series of requests saw.
struct Tally {
    var ok = 0
    var failed = 0
    var perReal: [String: Int] = [:]

    func share(_ real: String) -> Double { Double(perReal[real, default: 0]) / Double(max(ok, 1)) }
}

extension RunningLab {
    /// `count` HTTP requests from the client to the VIP, each on a new connection (one
    /// curl process, URL globbing, `Connection: close`).
    func httpRequests(_ count: Int, to address: String? = nil) throws -> Tally {
        let url = "http://\(address ?? vip)/?n=[1-\(count)]"
        let r = try client.run(["curl", "-s", "-m", "5", "-H", "Connection: close", "-w", "#%{http_code}\n", url], timeout: 300)
        var t = Tally()
        for line in r.stdout.split(separator: "\n") {
            // Each response is "realK a.b.c.d" followed by "#200".
            if line.hasPrefix("real") { t.perReal[String(line.split(separator: " ")[0]), default: 0] += 1 }
            if line.hasPrefix("#") { if line == "#200" { t.ok += 1 } else { t.failed += 1 } }
        }
        t.failed += count - t.ok - t.failed
        return t
    }

    /// A TCP connection from the client to the VIP's responder port.
    func openResponderConnection() throws -> Socket {
        try Socket.connect("\(vip):\(state.tcpPort)", namespace: state.node(named: "client")!.namespace)
    }

    /// `count` responder requests, each on a new connection; closes each after the reply.
    func responderRequests(_ count: Int) throws -> Tally {
        var t = Tally()
        for _ in 0..<count {
            let s = try openResponderConnection()
            defer { s.close() }
            if let name = LabTests.request(on: s) { t.ok += 1; t.perReal[name, default: 0] += 1 } else { t.failed += 1 }
        }
        return t
    }

    /// Zeroes the IPVS counters, runs `body`, and returns the counters after the kernel's
    /// estimator has folded them in. The estimator sums per-CPU counters every 2 s and
    /// `ipvsadm -Z` zeroes against that sum, so traffic from just before would leak in
    /// without the wait before zeroing.
    func countersAround(_ body: () throws -> Void) throws -> [ServiceReading] {
        Thread.sleep(forTimeInterval: 3)
        try IPVSBalancer(runner: director).zeroCounters()
        try body()
        Thread.sleep(forTimeInterval: 3)
        return try stats()
    }
}

enum LabTests {
    /// One responder request (100 bytes in, 64 out) on `socket`; the answering real's name.
    static func request(on socket: Socket) -> String? {
        let header = ResponderProtocol(requestLength: 100, responseLength: 64).header
        guard socket.writeAll(header + [UInt8](repeating: 0x78, count: 92)) else { return nil }
        var reply = [UInt8](repeating: 0, count: 64)
        guard socket.readExactly(&reply, count: 64) else { return nil }
        return String(decoding: reply.prefix { $0 != 0x0A }, as: UTF8.self)
    }

    /// Everything of the labs with this prefix and run directory that is still on the host:
    /// namespaces, their mounts, processes started from the run directory, lab directories.
    static func leftovers(prefix: String = LabEnvironment.prefix, runDirectory: String = LabEnvironment.runDirectory) -> [String] {
        var found: [String] = []
        let ns = (try? LabEngine.listNamespaces()) ?? []
        found += ns.filter { $0.hasPrefix(prefix + "-") }.map { "namespace \($0)" }
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        found += mounts.split(separator: "\n").filter { $0.contains("/run/netns/\(prefix)-") }.map { "mount \($0)" }
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        for pid in pids where pid != getpid() {
            if let cmd = DetachedProcess.commandLine(of: pid), cmd.contains(runDirectory + "/"),
               DetachedProcess.isAlive(pid) {
                found.append("process \(pid) \(cmd)")
            }
        }
        let labs = (try? FileManager.default.contentsOfDirectory(atPath: runDirectory + "/labs")) ?? []
        found += labs.map { "lab directory \($0)" }
        return found
    }
}
