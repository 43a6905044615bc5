import XCTest
@testable import Experiments

final class LoadProbeTests: XCTestCase {
    func testArgumentsPerLoadKind() {
        let vip = LoadEndpoint(address: "198.18.0.100", httpPort: 80, tcpPort: 9000)
        XCTAssertEqual(LoadProbe.arguments(executable: "/x/lvsbench", kind: .http, target: vip, connections: 16,
                                           duration: 3, rate: nil),
                       ["/x/lvsbench", "load", "http://198.18.0.100:80/", "-c", "16", "-d", "3s", "--json"])
        XCTAssertEqual(LoadProbe.arguments(executable: "lvsbench", kind: .tcpCRR, target: vip, connections: 2,
                                           duration: 0.5, rate: 1000),
                       ["lvsbench", "load", "tcp://198.18.0.100:9000", "-c", "2", "-d", "500ms", "--close",
                        "--rate", "1000", "--json"])
    }

    func testTimelineIntervalAndTimeoutArePassedOnlyWhenGiven() {
        let vip = LoadEndpoint(address: "198.18.0.100")
        XCTAssertEqual(LoadProbe.arguments(executable: "lvsbench", kind: .http, target: vip, connections: 4, duration: 20,
                                           rate: nil, interval: 0.1, timeout: 0.5),
                       ["lvsbench", "load", "http://198.18.0.100:80/", "-c", "4", "-d", "20s",
                        "--interval", "100ms", "--timeout", "500ms", "--json"])
    }

    func testRealCapperParsesLinksAndCounters() throws {
        let links = """
        1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT
        2: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT
        """
        XCTAssertEqual(RealCapper.parseLinks(links), ["eth0"])
        let dev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0
          eth0:  52000     400    0    0    0     0          0         0   987654     700    0    0    0     0       0          0
        """
        XCTAssertEqual(try RealCapper.parseTransmittedBytes(dev), 987_654)
        XCTAssertEqual(RealCapper.tbfArguments(device: "eth0", bytesPerSecond: 409_600),
                       ["tc", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", "409600bps",
                        "burst", "8192", "latency", "200ms"])
    }
}
