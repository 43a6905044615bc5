import XCTest
@testable import Tuner

/// The per-namespace rule against what Linux 6.18 shows (recorded listings in RecordedNode.swift).
final class SysctlScopeRuleTests: XCTestCase {
    func probes(_ listing: String, _ keys: [String]) throws -> [String: SysctlProbe] {
        let node = RecordedNode(name: "n", role: .client, bootID: "b", listing: listing)
        return try NodeSysctls.probe(keys, run: { try node.run($0, timeout: nil) })
    }

    func resolve(_ key: String, ownKernel: Bool = false) throws -> SysctlScopeRule.Resolution {
        let inNode = try probes(Recorded.childNamespace618, [key])[key]
        let onHost = try probes(Recorded.host618, [key])[key]
        return SysctlScopeRule.resolve(key: key, inNode: inNode, onHost: onHost, ownKernel: ownKernel)
    }

    func testRecordedHostKernel618() throws {
        // Registered per namespace and writable there.
        XCTAssertEqual(try resolve("net.ipv4.tcp_fin_timeout"), .scoped(.node))
        XCTAssertEqual(try resolve("net.ipv4.ip_local_port_range"), .scoped(.node))
        XCTAssertEqual(try resolve("net.core.somaxconn"), .scoped(.node))
        // Registered for init_net only: absent in a new namespace.
        XCTAssertEqual(try resolve("net.core.netdev_max_backlog"), .scoped(.global))
        XCTAssertEqual(try resolve("net.core.busy_poll"), .scoped(.global))
        XCTAssertEqual(try resolve("net.ipv4.tcp_mem"), .scoped(.global))
        // Visible in a new namespace but read-only there: a mirror of the host's value.
        XCTAssertEqual(try resolve("net.core.rmem_max"), .scoped(.global))
        // Outside /proc/sys/net: one table for the kernel, whatever a namespace shows.
        XCTAssertEqual(try resolve("vm.swappiness"), .scoped(.global))
        // Removed in 4.12.
        XCTAssertEqual(try resolve("net.ipv4.tcp_tw_recycle"), .missing)
        XCTAssertEqual(try resolve("net.ipv4.tcp_available_ulp"), .readOnly)
    }

    func testOwnKernelOwnsEverything() {
        let writable = SysctlProbe(value: "1", mode: 0o644)
        XCTAssertEqual(SysctlScopeRule.resolve(key: "vm.swappiness", inNode: writable, onHost: writable, ownKernel: true), .scoped(.node))
        XCTAssertEqual(SysctlScopeRule.resolve(key: "net.core.netdev_max_backlog", inNode: writable, onHost: nil, ownKernel: true), .scoped(.node))
        XCTAssertEqual(SysctlScopeRule.resolve(key: "net.ipv4.tcp_tw_recycle", inNode: nil, onHost: nil, ownKernel: true), .missing)
    }

    func testProbeNormalizesVectorsAndSkipsAbsentKeys() throws {
        let found = try probes(Recorded.childNamespace618, ["net.ipv4.tcp_rmem", "net.ipv4.tcp_tw_recycle"])
        XCTAssertEqual(found, ["net.ipv4.tcp_rmem": SysctlProbe(value: "4096 131072 33554432", mode: 0o644)])
    }

    func testRecordedGuestKernel61() throws {
        func resolve(_ key: String) throws -> SysctlScopeRule.Resolution {
            SysctlScopeRule.resolve(key: key, inNode: try probes(Recorded.guestChild61, [key])[key],
                                    onHost: try probes(Recorded.guest61, [key])[key], ownKernel: false)
        }
        // On 6.1 rmem_max is registered for init_net only: absent, not read-only, in a namespace.
        XCTAssertEqual(try resolve("net.core.rmem_max"), .scoped(.global))
        XCTAssertEqual(try resolve("net.core.netdev_max_backlog"), .scoped(.global))
        XCTAssertEqual(try resolve("net.ipv4.tcp_fin_timeout"), .scoped(.node))
        XCTAssertEqual(try resolve("net.ipv4.vs.conn_reuse_mode"), .scoped(.node))
        XCTAssertEqual(try resolve("net.ipv4.tcp_tw_recycle"), .missing)
    }
}
