import Collector
import Foundation
import Lab
import SystemKit

/// Caps what a real can send, so that in a sweep each real is a fixed-capacity server and
/// throughput grows with the number of reals until the director is the limit. A token
/// bucket (tc tbf) on the egress of every link of the real's node limits its replies; in DR
/// and TUN these are the only packets the real sends, and in NAT they still all leave
/// through that link. The qdisc lives in the real's namespace and goes with it when the
/// lab is torn down.
public enum RealCapper {
    /// Interface names of the node, loopback excluded (`ip -o link show`).
    public static func links(of node: any LabNode) throws -> [String] {
        parseLinks(try node.check(["ip", "-o", "link", "show"]).stdout)
    }

    static func parseLinks(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count >= 2 else { return nil }
            let name = fields[1].trimmingCharacters(in: .whitespaces).split(separator: "@").first.map(String.init)
            return name == "lo" ? nil : name
        }
    }

    /// The tc argv that caps `device` at `bytesPerSecond` (tc's `bps` unit is bytes/s). The
    /// burst is a fiftieth of a second of traffic but at least a few full-size frames, so
    /// the bucket neither lets bursts through nor starves on one big segment.
    public static func tbfArguments(device: String, bytesPerSecond: Int) -> [String] {
        let burst = max(bytesPerSecond / 50, 4 * 1514)
        return ["tc", "qdisc", "replace", "dev", device, "root", "tbf", "rate", "\(bytesPerSecond)bps",
                "burst", String(burst), "latency", "200ms"]
    }

    public static func cap(_ node: any LabNode, bytesPerSecond: Int) throws {
        for device in try links(of: node) {
            try node.check(tbfArguments(device: device, bytesPerSecond: bytesPerSecond))
        }
    }

    /// Removes the caps `cap` set (the sweep's plain-forward reference runs to real1
    /// uncapped, so that it loads the director as a saturated point does).
    public static func uncap(_ node: any LabNode) throws {
        for device in try links(of: node) {
            try node.check(["tc", "qdisc", "del", "dev", device, "root"])
        }
    }

    /// Bytes each link has sent so far, from the node's own /proc/net/dev.
    public static func transmittedBytes(_ node: any LabNode) throws -> Int {
        try parseTransmittedBytes(try node.readFile(InterfaceCounters.source))
    }

    /// The transmit bytes of every interface but loopback, read by the collector's parser.
    static func parseTransmittedBytes(_ text: String) throws -> Int {
        try InterfaceCounters.parse(text).filter { $0.key != "lo" }.values.reduce(0) { $0 + Int($1.txBytes) }
    }
}
