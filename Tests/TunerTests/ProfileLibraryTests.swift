import XCTest
@testable import Tuner

final class ProfileLibraryTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "lvsbench-profiles-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: "\(dir!)/\(name).yaml", atomically: true, encoding: .utf8)
    }

    /// profiles/ of this package, found by walking up from this file.
    static var shipped: ProfileLibrary {
        get throws {
            try ProfileLibrary.locate(environment: [:], executable: "/nonexistent/x", currentDirectory: #filePath)
        }
    }

    func testChildOverridesParentAndKeepsParentOrder() throws {
        try write("base", """
        name: base
        director:
          sysctl: {net.a.one: 1, net.a.two: 2}
          ipvs: {timeouts: {tcp: 100, tcpfin: 10, udp: 50}}
        client:
          sysctl: {net.c.x: 1}
        """)
        try write("child", """
        name: child
        inherits: base
        director:
          sysctl: {net.a.three: 3, net.a.one: 11}
          ipvs: {timeouts: {udp: 5}}
        """)
        let resolved = try ProfileLibrary(directory: dir).resolve("child")
        XCTAssertEqual(resolved.chain, ["child", "base"])
        XCTAssertEqual(resolved.tuning(for: .director).sysctl,
                       [.init(key: "net.a.one", value: "11"), .init(key: "net.a.two", value: "2"), .init(key: "net.a.three", value: "3")])
        XCTAssertEqual(resolved.tuning(for: .director).ipvsTimeouts, TimeoutsOverride(tcp: 100, tcpfin: 10, udp: 5))
        XCTAssertEqual(resolved.tuning(for: .client).sysctl, [.init(key: "net.c.x", value: "1")])
    }

    func testCycleAndMissingParentNameTheProfile() throws {
        try write("a", "name: a\ninherits: b\n")
        try write("b", "name: b\ninherits: a\n")
        try write("orphan", "name: orphan\ninherits: nowhere\n")
        let library = ProfileLibrary(directory: dir)
        XCTAssertThrowsError(try library.resolve("a")) { error in
            XCTAssertEqual(error as? TunerError, .inheritanceCycle(chain: ["a", "b", "a"]))
            XCTAssertTrue("\(error)".contains("profile 'a'"))
        }
        XCTAssertThrowsError(try library.resolve("orphan")) { error in
            XCTAssertEqual(error as? TunerError, .missingParent(profile: "orphan", parent: "nowhere"))
        }
        XCTAssertThrowsError(try library.resolve("absent")) { error in
            XCTAssertEqual(error as? TunerError, .profileNotFound(name: "absent", directory: dir))
        }
    }

    func testPathsAndEnvironmentOverride() throws {
        try write("p", "name: p\nclient:\n  sysctl: {net.c.x: 1}\n")
        let byPath = try ProfileLibrary(directory: "/nonexistent").resolve("\(dir!)/p.yaml")
        XCTAssertEqual(byPath.name, "p")
        let located = try ProfileLibrary.locate(environment: ["LVSBENCH_PROFILES": dir], executable: "/x", currentDirectory: "/")
        XCTAssertEqual(try located.names(), ["p"])
        XCTAssertThrowsError(try ProfileLibrary.locate(environment: ["LVSBENCH_PROFILES": dir + "/none"], executable: "/x", currentDirectory: "/"))
    }

    func testShippedProfilesAllResolve() throws {
        let library = try Self.shipped
        let names = try library.names()
        for required in ["default", "lvs-tutorial", "low-latency", "high-throughput", "conn-churn"] {
            XCTAssertTrue(names.contains(required), "profiles/\(required).yaml missing")
        }
        for name in names {
            let profile = try library.resolve(name)
            XCTAssertEqual(profile.name, name)
            XCTAssertFalse(profile.description.isEmpty, name)
        }
        XCTAssertTrue(try library.resolve("default").isEmpty)
    }

    func testLVSTutorialIsExactlyTheIssueList() throws {
        let director = try Self.shipped.resolve("lvs-tutorial").tuning(for: .director)
        XCTAssertEqual(director.ipvsTimeouts, TimeoutsOverride(tcp: 30, tcpfin: 5, udp: 60))
        let expected: [String: String] = [
            "net.ipv4.tcp_tw_recycle": "1", "net.ipv4.tcp_tw_reuse": "1", "net.ipv4.tcp_max_syn_backlog": "8192",
            "net.ipv4.tcp_keepalive_time": "1800", "net.ipv4.tcp_fin_timeout": "30",
            "net.core.rmem_max": "16777216", "net.core.wmem_max": "16777216",
            "net.ipv4.tcp_rmem": "4096 87380 16777216", "net.ipv4.tcp_wmem": "4096 65536 16777216",
            "net.core.netdev_max_backlog": "3000",
        ]
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: director.sysctl.map { ($0.key, $0.value) }), expected)
    }

    func testConnChurnTunesTheRightRoles() throws {
        let profile = try Self.shipped.resolve("conn-churn")
        XCTAssertTrue(profile.tuning(for: .client).sysctl.contains { $0.key == "net.ipv4.tcp_tw_reuse" })
        XCTAssertTrue(profile.tuning(for: .client).sysctl.contains { $0.key == "net.ipv4.ip_local_port_range" })
        XCTAssertEqual(profile.tuning(for: .director).ipvsSysctl.map(\.key), ["net.ipv4.vs.conn_reuse_mode"])
        XCTAssertNotNil(profile.tuning(for: .director).ipvsTimeouts)
        XCTAssertEqual(profile.chain, ["conn-churn", "default"])
    }
}
