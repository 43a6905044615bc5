import Foundation
import Lab
import SystemKit
import XCTest

/// The native backend (the director a namespace of a host whose kernel has IPVS) cannot run
/// on a host without IPVS, but it can inside a user-mode Linux guest, whose kernel has it:
/// this boots a guest (no network devices) whose init runs `lab up --director auto` (which
/// must pick native there), checks the VIP, and takes the lab down again. A functional check
/// of the path users with a distribution kernel take; slow, so one small tun lab (tun also
/// exercises the kernel's own tunl0 decapsulation).
final class NativeBackendInGuestTests: XCTestCase {
    func testNativeDirectorInsideAGuestWithIPVS() throws {
        try XCTSkipUnless(Privileges.isRoot, "lab tests need root (network namespaces, IPVS)")
        try XCTSkipUnless(ToolLocator.find("linux.uml") != nil, "needs user-mode-linux")
        let dir = LabEnvironment.runDirectory + "-native-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir + "/modroot/lib/modules", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/modroot/lib/modules/" + GuestInit.kernelRelease,
                                                   withDestinationPath: GuestInit.moduleSource + "/" + GuestInit.kernelRelease)
        // The guest's root is the host's: it writes only below its own tmpfs /run and /tmp,
        // and runs lvsbench from where the scratch mounts leave it reachable.
        let scratch = GuestInit.privateScratch(executable: LabCLI.binary)
        let exe = scratch.executable
        let script = """
        #!/bin/sh
        export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
        mount -t proc proc /proc
        mount -t sysfs sys /sys
        mount -t devtmpfs dev /dev 2>/dev/null
        for m in ip_vs ip_vs_rr ip_vs_wrr ipip veth bridge; do modprobe -d \(dir)/modroot $m; done
        \(scratch.lines.joined(separator: "\n"))
        ip link set lo up
        export LVSBENCH_RUN_DIR=/run/lvsbench LVSBENCH_PREFIX=g LVSBENCH_EXE=\(exe)
        \(exe) lab up --name g --mode tun --reals 2 --scheduler rr --json > /tmp/up.json 2>/tmp/up.err
        echo "UP-STATUS $?"
        grep -o '"backend" : "[a-z]*"' /tmp/up.json
        cat /tmp/up.err
        for i in 1 2 3 4 5 6; do \(exe) lab exec --name g client -- curl -s -m 3 http://198.18.2.100/; done
        \(exe) lab exec --name g director -- ipvsadm -Ln
        \(exe) lab down --name g
        echo "DOWN-STATUS $?"
        echo "NETNS-LEFT $(ip netns list | wc -l)"
        poweroff -f

        """
        try AtomicFile.write(script, to: dir + "/init")
        chmod(dir + "/init", 0o755)
        let umid = "lvsbench-native-\(getpid())"
        let pid = try DetachedProcess.spawn(
            ["linux.uml", "mem=768M", "rootfstype=hostfs", "rootflags=/", "rw", "init=\(dir)/init",
             "con=null", "con0=null,fd:1", "umid=\(umid)", "uml_dir=\(dir)/uml"], log: dir + "/console.log")
        defer { DetachedProcess.stop(pid, marker: "umid=\(umid)", group: true) }
        let deadline = Date().addingTimeInterval(300)
        while DetachedProcess.isAlive(pid) && Date() < deadline { usleep(200_000) }
        let console = (try? String(contentsOfFile: dir + "/console.log", encoding: .utf8)) ?? ""
        XCTAssertFalse(DetachedProcess.isAlive(pid), "the guest did not finish within 300 s")
        XCTAssertTrue(console.contains("UP-STATUS 0"), console)
        XCTAssertTrue(console.contains(#""backend" : "native""#), console)
        let answers = console.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("real1 ") || $0.hasPrefix("real2 ") }
        XCTAssertEqual(answers.count, 6, console)
        XCTAssertEqual(Set(answers.map { $0.prefix(5) }), ["real1", "real2"], console)
        XCTAssertTrue(console.contains("Tunnel"), console)
        XCTAssertTrue(console.contains("DOWN-STATUS 0"), console)
        XCTAssertTrue(console.contains("NETNS-LEFT 0"), console)
    }
}
