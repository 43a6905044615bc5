import Balancing
import XCTest

final class BalancerCountersTests: XCTestCase {
    func counters(_ n: UInt64) -> BalancerCounters {
        BalancerCounters(conns: n, inPackets: n, outPackets: n, inBytes: n, outBytes: n)
    }

    func testSubtractionIsTheIncreaseOfEachCounter() {
        let before = BalancerCounters(conns: 5, inPackets: 100, outPackets: 90, inBytes: 6400, outBytes: 9000)
        let after = BalancerCounters(conns: 12, inPackets: 160, outPackets: 90, inBytes: 9600, outBytes: 15000)
        XCTAssertEqual(after - before, BalancerCounters(conns: 7, inPackets: 60, outPackets: 0, inBytes: 3200, outBytes: 6000))
    }

    func testA32BitCounterThatWrappedCountsOnThroughZero() {
        let before = counters(UInt64(UInt32.max) - 0x0F)
        XCTAssertEqual(counters(0x10) - before, counters(0x20))
        XCTAssertEqual(counters(0) - counters(UInt64(UInt32.max)), counters(1))
    }

    func testACounterThatWasResetCountsFromZero() {
        XCTAssertEqual(counters(40) - counters(1000), counters(40), "low and went down: reset, not a wrap")
        XCTAssertEqual(counters(7) - counters(UInt64(UInt32.max) + 10), counters(7), "a 64-bit value going down: reset")
    }

    func testEachCounterIsSubtractedOnItsOwn() {
        let before = BalancerCounters(conns: UInt64(UInt32.max), inPackets: 10, outPackets: 500, inBytes: 0, outBytes: 0)
        let after = BalancerCounters(conns: 2, inPackets: 15, outPackets: 3, inBytes: 0, outBytes: 1)
        XCTAssertEqual(after - before, BalancerCounters(conns: 3, inPackets: 5, outPackets: 3, inBytes: 0, outBytes: 1))
    }

    func testRateOverAnInterval() {
        let r = BalancerCounters(conns: 10, inPackets: 300, outPackets: 0, inBytes: 1000, outBytes: 5).rate(over: 2)
        XCTAssertEqual(r, BalancerCounters.Rates(conns: 5, inPackets: 150, outPackets: 0, inBytes: 500, outBytes: 2.5))
        XCTAssertEqual(counters(9).rate(over: 0), BalancerCounters.Rates(conns: 0, inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0))
    }

    func testSumSaturatesInsteadOfTrapping() {
        XCTAssertEqual(counters(3) + counters(4), counters(7))
        XCTAssertEqual(counters(.max - 1) + counters(5), counters(.max))
        XCTAssertEqual([counters(1), counters(2)].reduce(.zero, +), counters(3))
    }

    func testJSONKeysAreTheCollectorsNames() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        XCTAssertEqual(String(decoding: try encoder.encode(BalancerCounters(conns: 1, inPackets: 2, outPackets: 3, inBytes: 4, outBytes: 5)),
                              as: UTF8.self),
                       #"{"conns":1,"inBytes":4,"inPackets":2,"outBytes":5,"outPackets":3}"#)
        XCTAssertEqual(counters(1).named.map(\.name), ["conns", "inPackets", "outPackets", "inBytes", "outBytes"])
    }
}

final class RealReadingTests: XCTestCase {
    let http = VirtualService(address: "198.18.0.10", port: 80)
    let tcp = VirtualService(address: "198.18.0.10", port: 9000)

    func reading(_ service: VirtualService, _ address: String, conns: UInt64) -> RealReading {
        RealReading(proto: "TCP", service: service, address: address, port: service.port,
                    counters: BalancerCounters(conns: conns, inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0))
    }

    func testKeyIsTheSamplesFilesName() {
        let r = reading(http, "198.18.1.2", conns: 3)
        XCTAssertEqual(r.key, "TCP 198.18.0.10:80 -> 198.18.1.2:80")
        XCTAssertEqual(RealReading(key: r.key, counters: r.counters), r)
        XCTAssertEqual(RealReading(key: "TCP [2001:db8::1]:80 -> [2001:db8::2]:8080", counters: .zero)?.address, "[2001:db8::2]")
    }

    func testKeyedRoundTripsAndRefusesOtherText() {
        let readings = [reading(tcp, "198.18.1.3", conns: 1), reading(http, "198.18.1.2", conns: 2)]
        XCTAssertEqual([RealReading](keyed: readings.keyed), readings.sorted { $0.key < $1.key })
        XCTAssertNil([RealReading](keyed: ["TCP 1 -> 2": .zero]))
        XCTAssertNil([RealReading](keyed: ["TCP 198.18.0.10:80 -> 198.18.1.2:99999": .zero]))
    }

    func testTotalOfARealIsFoundByAddressOverEveryService() {
        let readings = [reading(http, "198.18.1.2", conns: 4), reading(tcp, "198.18.1.2", conns: 5),
                        reading(http, "198.18.1.20", conns: 100), reading(http, "198.18.1.3", conns: 7)]
        XCTAssertEqual(readings.total(of: "198.18.1.2").conns, 9, "a real whose address extends another's is apart")
        XCTAssertEqual(readings.total(of: "198.18.1.20").conns, 100)
        XCTAssertEqual(readings.total(of: "198.18.1.9"), .zero)
    }

    func testServiceLookup() {
        let services = [ServiceReading(proto: "TCP", service: http, counters: .zero, reals: [reading(http, "198.18.1.2", conns: 1)])]
        XCTAssertEqual(services.service(http)?.reals.count, 1)
        XCTAssertNil(services.service(tcp))
    }
}

final class ConnectionTimeoutsTests: XCTestCase {
    func testTextFormIsTheUndoLogs() {
        let t = ConnectionTimeouts(tcp: 900, tcpFin: 120, udp: 300)
        XCTAssertEqual(t.description, "900 120 300")
        XCTAssertEqual(ConnectionTimeouts("900 120 300"), t)
        XCTAssertNil(ConnectionTimeouts("900 120"))
        XCTAssertNil(ConnectionTimeouts("900 x 300"))
    }
}
