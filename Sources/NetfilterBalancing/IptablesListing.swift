import Balancing
import SystemKit

/// `iptables-save -c` read back: the services as their chains record them, and the
/// counters (per real: its DNAT rule's packets, one per connection; per service: the
/// LVSBENCH-TRAFFIC rules' packets and bytes each way).
public struct IptablesListing: Equatable, Sendable {
    public var services: [ServiceSpec]
    public var readings: [ServiceReading]

    /// Whether the balancer's own chains exist (set up by an earlier install).
    public var hooked: Bool

    public static func parse(_ text: String) throws -> IptablesListing {
        var table = "", hooked = false
        var comments: [String: [String]] = [:], order: [String] = []
        var dnat: [String: UInt64] = [:], traffic: [String: (UInt64, UInt64)] = [:]
        for (index, raw) in text.split(separator: "\n").enumerated() {
            let line = String(raw)
            if line.hasPrefix("*") { table = String(line.dropFirst()); continue }
            if table == "nat", line.hasPrefix(":\(IptablesRuleset.services) ") { hooked = true }
            guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { continue }
            let counts = line[line.index(after: line.startIndex)..<close].split(separator: ":").map { UInt64($0) }
            guard counts.count == 2, let packets = counts[0], let bytes = counts[1] else {
                throw ProcParseError("iptables-save -c", line: index + 1, "a rule's counters are not [packets:bytes]")
            }
            let words = line[line.index(after: close)...].split(separator: " ").map(String.init)
            guard words.count >= 2, words[0] == "-A" else { continue }
            let chain = words[1], comment = NftablesListing.quoted(line, after: "--comment ")
            if table == "nat", chain.hasPrefix("LVS"), chain != IptablesRuleset.services, let comment {
                if comments[chain] == nil { order.append(chain) }
                comments[chain, default: []].append(comment)
            } else if table == "nat", chain.hasPrefix("LVR") {
                dnat[chain] = packets
            } else if table == "filter", chain == IptablesRuleset.traffic, let comment {
                traffic[comment] = (packets, bytes)
            }
        }
        var services: [ServiceSpec] = [], readings: [ServiceReading] = []
        for chain in order {
            guard let spec = NetfilterPlan.spec(comments: comments[chain] ?? []) else {
                throw ProcParseError("iptables-save -c", line: 0, "chain \(chain) does not record its service")
            }
            services.append(spec)
            let inward = traffic["in \(spec.service.endpoint)"] ?? (0, 0), outward = traffic["out \(spec.service.endpoint)"] ?? (0, 0)
            readings.append(NetfilterPlan.reading(spec, conns: { dnat[IptablesRuleset.realChain(spec.service, $0)] ?? 0 },
                                                  inward: inward, outward: outward))
        }
        return IptablesListing(services: services, readings: readings, hooked: hooked)
    }
}
