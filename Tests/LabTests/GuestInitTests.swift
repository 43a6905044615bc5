@testable import Lab
import XCTest

final class GuestInitTests: XCTestCase {
    /// The guest hides /tmp, /var/tmp and /run behind its own tmpfs; an executable below one
    /// of them (a checkout in /tmp) must be bound somewhere else first, or the agent never starts.
    func testExecutableIsBoundBeforeTheScratchMountsHideIt() {
        let scratch = GuestInit.privateScratch(executable: "/tmp/ci clone/.build/debug/lvsbench")
        let bind = scratch.lines.firstIndex { $0.hasPrefix("mount --bind") }
        let hideTmp = scratch.lines.firstIndex(of: "mount -t tmpfs tmpfs /tmp")
        XCTAssertNotNil(bind)
        XCTAssertNotNil(hideTmp)
        XCTAssertLessThan(bind ?? .max, hideTmp ?? .min)
        XCTAssertEqual(scratch.lines[bind!], "mount --bind '/tmp/ci clone/.build/debug' /mnt/lvsbench")
        XCTAssertEqual(scratch.executable, "/mnt/lvsbench/'lvsbench'")
        XCTAssertTrue(scratch.lines.contains("mount -t tmpfs tmpfs /run"))
    }

    /// The agent's secret lies in the lab directory, below /run by default (or /tmp): the
    /// guest copies it to its own tmpfs before the scratch mounts hide it.
    func testSecretIsCopiedBeforeRunAndTmpAreHidden() throws {
        let scratch = GuestInit.privateScratch(executable: "/tmp/x/lvsbench", secret: "/run/lvsbench/labs/a b/agent.secret")
        let copy = try XCTUnwrap(scratch.lines.firstIndex { $0.contains("cp '/run/lvsbench/labs/a b/agent.secret' /mnt/agent/secret") })
        XCTAssertLessThan(try XCTUnwrap(scratch.lines.firstIndex(of: "mkdir -m 0700 /mnt/agent")), copy)
        XCTAssertTrue(scratch.lines[copy].contains("umask 077"))
        XCTAssertLessThan(copy, try XCTUnwrap(scratch.lines.firstIndex(of: "mount -t tmpfs tmpfs /run")))
        XCTAssertLessThan(copy, try XCTUnwrap(scratch.lines.firstIndex(of: "mount -t tmpfs tmpfs /tmp")))
        XCTAssertEqual(scratch.secret, GuestInit.guestSecretPath)
        XCTAssertNil(GuestInit.privateScratch(executable: "/x/lvsbench").secret)
    }

    /// The agent accepts only on the management link and only with the secret.
    func testAgentIsBoundToTheManagementInterfaceWithTheSecret() throws {
        let plan = Topology.plan(LabSpec(name: "t", mode: .nat, reals: 2), directorHost: .uml, prefix: "px")
        let script = GuestInit.script(plan: plan, labDirectory: "/run/l", executable: "/x/lvsbench")
        let agent = try XCTUnwrap(script.split(separator: "\n").first { $0.contains(" lab agent ") })
        XCTAssertTrue(agent.hasSuffix("--listen 198.19.254.2:7070 --device vec0 --secret-file /mnt/agent/secret &"), String(agent))
        XCTAssertTrue(script.contains("ip addr add 198.19.254.2/30 dev vec0"))
    }

    /// An iptables lab's guest loads the legacy x_tables modules it is driven through; an
    /// IPVS lab's loads none of them; every module named is one the installed kernel ships.
    func testNetfilterBalancersLoadTheirModules() throws {
        let plan = Topology.plan(LabSpec(name: "t", mode: .nat, reals: 1, balancer: .iptables), directorHost: .uml, prefix: "px")
        let script = GuestInit.script(plan: plan, labDirectory: "/run/l", executable: "/x/lvsbench")
        for module in ["iptable_nat", "xt_statistic", "xt_conntrack", "xt_comment"] {
            XCTAssertTrue(script.contains("modprobe -d /run/l/modroot \(module) "), module)
        }
        let ipvs = GuestInit.script(plan: Topology.plan(LabSpec(name: "t", mode: .nat, reals: 1), directorHost: .uml, prefix: "px"),
                                    labDirectory: "/run/l", executable: "/x/lvsbench")
        XCTAssertFalse(ipvs.contains("iptable_nat"))
        let dep = GuestInit.moduleSource + "/" + GuestInit.kernelRelease + "/modules.dep"
        guard let modules = try? String(contentsOfFile: dep, encoding: .utf8) else { return }
        for module in GuestInit.netfilterModules(.iptables) + GuestInit.netfilterModules(.nftables) {
            XCTAssertTrue(modules.contains("/\(module).ko"), "\(module) is not in \(dep)")
        }
    }

    func testShellQuotingSurvivesQuotes() {
        XCTAssertEqual(GuestInit.shellQuoted("it's"), "'it'\\''s'")
    }

    func testAgentStartsFromTheBoundExecutableAfterModulesLoad() throws {
        let plan = Topology.plan(LabSpec(name: "t", mode: .nat, reals: 1), directorHost: .uml, prefix: "px")
        let script = GuestInit.script(plan: plan, labDirectory: "/tmp/labdir", executable: "/tmp/x/lvsbench")
        let lines = script.split(separator: "\n").map(String.init)
        let lastModprobe = try XCTUnwrap(lines.lastIndex { $0.hasPrefix("modprobe") })
        let hideTmp = try XCTUnwrap(lines.firstIndex(of: "mount -t tmpfs tmpfs /tmp"))
        XCTAssertLessThan(lastModprobe, hideTmp, "modules live in the lab directory, which may be below /tmp")
        XCTAssertTrue(lines.contains { $0.hasPrefix("/mnt/lvsbench/'lvsbench' lab agent --listen") })
    }

    /// Each tap becomes a vector interface of the chosen transport; raw binds the guest's
    /// end of a veth pair, the others the tap itself.
    func testVectorOptionsNameTheTransportAndInterface() throws {
        let hybrid = try VectorOptions(parsing: "hybrid")
        XCTAssertEqual(hybrid.argument(tap: "t-out"), "transport=hybrid,ifname=t-out")
        let raw = try VectorOptions(parsing: "raw, depth=128")
        XCTAssertTrue(raw.usesVeth)
        XCTAssertEqual(raw.argument(tap: "t-mgmt"), "transport=raw,ifname=u-mgmt,depth=128")
        let plan = Topology.plan(LabSpec(name: "t", mode: .nat, reals: 1), directorHost: .uml, prefix: "px")
        let argv = GuestInit.bootCommand(plan: plan, labDirectory: "/l", umid: "u")
        XCTAssertEqual(argv.filter { $0.hasPrefix("vec") }.count, plan.guest!.taps.count)
        XCTAssertEqual(GuestInit.defaultVector, "hybrid")
    }

    func testVectorOptionsRefuseUnknownTransportsAndInterfaceOverrides() {
        for bad in ["", "vde", "tap,ifname=eth0", "hybrid,transport=raw", "raw,depth"] {
            XCTAssertThrowsError(try VectorOptions(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains("LVSBENCH_UML_VEC"), "\(error)")
            }
        }
    }
}

final class GuestInitHAProxyTests: XCTestCase {
    /// HAProxy's files are in the lab directory, below /run which the guest hides: the guest
    /// mounts it back from the host, after the scratch mounts, only for that balancer.
    func testHAProxyLabMountsTheLabDirectoryBackAfterTheScratchMounts() throws {
        let spec = LabSpec(name: "t", mode: .nat, reals: 1, balancer: .haproxy)
        let script = GuestInit.script(plan: Topology.plan(spec, directorHost: .uml, prefix: "px"),
                                      labDirectory: "/run/l", executable: "/x/lvsbench")
        let lines = script.split(separator: "\n").map(String.init)
        let hideRun = try XCTUnwrap(lines.firstIndex(of: "mount -t tmpfs tmpfs /run"))
        let mount = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("mkdir -p '/run/l' && mount -t hostfs none '/run/l' -o '/run/l'") })
        XCTAssertLessThan(hideRun, mount)
        let ipvs = GuestInit.script(plan: Topology.plan(LabSpec(name: "t", mode: .nat, reals: 1), directorHost: .uml, prefix: "px"),
                                    labDirectory: "/run/l", executable: "/x/lvsbench")
        XCTAssertFalse(ipvs.contains("hostfs"))
    }
}
