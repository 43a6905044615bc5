import Foundation
import SystemKit
#if canImport(Glibc)
import Glibc
#endif

/// The tc-BPF IPIP decapsulator for TUN reals on a host kernel without `ipip`: at the real's
/// ingress it strips the outer IPv4 header of protocol-4 packets so the inner packet (to
/// the VIP on the real's lo) is delivered as usual. Compiled from source at first use with
/// the toolchain's clang; never committed as a binary.
public enum DecapProgram {
    public static let source = """
    #include <linux/bpf.h>
    #include <linux/pkt_cls.h>
    #include <linux/if_ether.h>
    #include <linux/ip.h>
    #include <linux/in.h>

    static long (*bpf_skb_adjust_room)(struct __sk_buff *, int, unsigned int, unsigned long long) =
        (void *)BPF_FUNC_skb_adjust_room;

    __attribute__((section("tc"), used))
    int decap(struct __sk_buff *skb) {
        void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
        struct ethhdr *eth = data;
        if ((void *)(eth + 1) > end || eth->h_proto != __builtin_bswap16(ETH_P_IP)) return TC_ACT_OK;
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_IPIP || ip->ihl != 5) return TC_ACT_OK;
        if (bpf_skb_adjust_room(skb, -20, BPF_ADJ_ROOM_MAC, 0)) return TC_ACT_SHOT;
        return TC_ACT_OK;
    }

    char _license[] __attribute__((section("license"), used)) = "GPL";

    """

    /// Whether the host kernel decapsulates IPIP itself (then reals use `tunl0`): only when
    /// `ipip` is already in the kernel, loaded or built in. It is never loaded from here:
    /// loading it creates `tunl0` in the host's own namespace too, and the host's interfaces
    /// are promised to stay untouched; the tc-BPF decapsulator serves every other kernel.
    public static func hostHasIPIP() -> Bool {
        kernelDecapsulates(ipipModule: FileManager.default.fileExists(atPath: "/sys/module/ipip"),
                           netDev: (try? String(contentsOfFile: "/proc/net/dev", encoding: .utf8)) ?? "")
    }

    /// The decision, from what the host shows: /sys/module/ipip exists, or the host's
    /// /proc/net/dev lists an interface named exactly `tunl0`.
    static func kernelDecapsulates(ipipModule: Bool, netDev: String) -> Bool {
        ipipModule || netDev.split(separator: "\n").contains { line in
            line.split(separator: ":", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces) == "tunl0"
        }
    }

    public static func clang() -> String? {
        ToolLocator.find("/opt/swift/usr/bin/clang") ?? ToolLocator.find("clang")
    }

    /// The object file `directory/decap.o`, compiled if not already there. tc loads it into
    /// the kernel as root, so it is built and reused only in a directory no one else can
    /// write (the lab's, 0700): the source is written and compiled in a fresh mkdtemp
    /// directory inside it, and the object renamed into place when complete.
    public static func object(in directory: String) throws -> String {
        try PrivateDirectory.requireUnwritableByOthers(directory)
        let obj = directory + "/decap.o"
        var st = stat()
        if lstat(obj, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFREG, st.st_uid == geteuid(), st.st_mode & 0o022 == 0 else {
                throw RuntimeFailure("\(obj) is not a file only uid \(geteuid()) can write: remove it")
            }
            return obj
        }
        guard let clang = clang() else {
            throw MissingTool(tool: "clang", package: "clang")
        }
        let build = try PrivateDirectory.makeTemporary(in: directory, prefix: ".decap-build")
        defer { try? FileManager.default.removeItem(atPath: build) }
        try AtomicFile.write(source, to: build + "/decap.c", mode: 0o600)
        try ProcessRunner.check([clang, "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                                 "-c", build + "/decap.c", "-o", build + "/decap.o"])
        chmod(build + "/decap.o", 0o600)
        guard rename(build + "/decap.o", obj) == 0 else {
            throw RuntimeFailure("cannot write \(obj): \(String(cString: strerror(errno)))")
        }
        return obj
    }
}
