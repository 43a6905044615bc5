import XCTest
@testable import Tuner

final class ProfileParserTests: XCTestCase {
    func testParsesRolesInFileOrderWithIPVSSection() throws {
        let text = """
        name: sample
        description: a test profile
        inherits: default
        director:
          sysctl:
            net.ipv4.tcp_fin_timeout: 30
            net.core.netdev_max_backlog: 3000
          ipvs:
            timeouts: { tcp: 30, tcpfin: 5 }
            sysctl:
              net.ipv4.vs.conn_reuse_mode: 0
        client:
          sysctl:
            net.ipv4.tcp_rmem: "4096   87380\t16777216"
            net.ipv4.ip_local_port_range: [1024, 65535]
        """
        let profile = try ProfileParser.parse(text, file: "/x/sample.yaml")
        XCTAssertEqual(profile.name, "sample")
        XCTAssertEqual(profile.inherits, "default")
        let director = profile.tuning(for: .director)
        XCTAssertEqual(director.sysctl.map(\.key), ["net.ipv4.tcp_fin_timeout", "net.core.netdev_max_backlog"])
        XCTAssertEqual(director.ipvsTimeouts, TimeoutsOverride(tcp: 30, tcpfin: 5, udp: nil))
        XCTAssertEqual(director.ipvsSysctl, [SysctlSetting(key: "net.ipv4.vs.conn_reuse_mode", value: "0")])
        XCTAssertEqual(profile.tuning(for: .client).sysctl.map(\.value), ["4096 87380 16777216", "1024 65535"])
        XCTAssertTrue(profile.tuning(for: .reals).isEmpty)
    }

    func testSyntaxErrorNamesFileAndLine() {
        let text = "name: broken\nclient:\n  sysctl:\n    net.ipv4.tcp_fin_timeout: [30\n"
        XCTAssertThrowsError(try ProfileParser.parse(text, file: "/p/broken.yaml")) { error in
            guard case let TunerError.syntax(file, line, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "/p/broken.yaml")
            XCTAssertGreaterThanOrEqual(line, 4)
            XCTAssertTrue("\(error)".hasPrefix("/p/broken.yaml:\(line): YAML syntax error"))
        }
    }

    func testUnknownFieldAndBadKeysNameTheLine() {
        let cases: [(String, Int, String)] = [
            ("name: a\nclinet:\n  sysctl: {}\n", 2, "unknown field 'clinet'"),
            ("name: a\nreals:\n  ipvs:\n    timeouts: {tcp: 1}\n", 3, "reals: unknown field 'ipvs'"),
            ("name: a\ndirector:\n  ipvs:\n    sysctl:\n      net.ipv4.tcp_fin_timeout: 3\n", 5, "not an IPVS key"),
            ("name: a\ndirector:\n  ipvs:\n    timeouts: {tcp: -4}\n", 4, "not a positive number"),
            ("name: a\nclient:\n  sysctl:\n    net..bad: 1\n", 4, "is not a sysctl key"),
            ("name: a\nclient:\n  sysctl:\n    net.ipv4.x: {a: 1}\n", 4, "expected a single value"),
        ]
        for (text, line, fragment) in cases {
            XCTAssertThrowsError(try ProfileParser.parse(text, file: "f.yaml"), text) { error in
                guard case let TunerError.invalidProfile(_, got, problem) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(got, line, text)
                XCTAssertTrue(problem.contains(fragment), "\(problem) lacks \(fragment)")
            }
        }
    }

    func testDuplicateKeyIsAnError() {
        let text = "name: a\nclient:\n  sysctl:\n    net.ipv4.tcp_fin_timeout: 1\n    net.ipv4.tcp_fin_timeout: 2\n"
        XCTAssertThrowsError(try ProfileParser.parse(text, file: "f.yaml"))
    }

    func testKeyWellFormedness() {
        XCTAssertTrue(SysctlKey.isWellFormed("net.ipv4.conf.all.rp_filter"))
        XCTAssertFalse(SysctlKey.isWellFormed("net"))
        XCTAssertFalse(SysctlKey.isWellFormed("net/ipv4/x"))
        XCTAssertFalse(SysctlKey.isWellFormed("net.ipv4..x"))
        XCTAssertEqual(SysctlKey.procPath("net.ipv4.tcp_fin_timeout"), "/proc/sys/net/ipv4/tcp_fin_timeout")
    }
}
