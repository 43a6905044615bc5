import Foundation
import Balancing
import SystemKit

/// `nft list table ip lvsbench` read back: the services as their chains record them, and
/// the counters (per real: the DNAT rule's packets, one per connection, since the nat chain
/// sees only a connection's first packet; per service: the forward chain's packets and
/// bytes each way).
public struct NftablesListing: Equatable, Sendable {
    public var services: [ServiceSpec]
    public var readings: [ServiceReading]

    public static func parse(_ text: String) throws -> NftablesListing {
        var chain = "", comments: [String: [String]] = [:], order: [String] = []
        var traffic: [String: (packets: UInt64, bytes: UInt64, out: (UInt64, UInt64))] = [:]
        var dnat: [String: UInt64] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("chain "), line.hasSuffix("{") {
                chain = String(line.dropFirst(6).dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            if chain.hasPrefix("s_"), let comment = quoted(line, after: "comment ") {
                if comments[chain] == nil { order.append(chain) }
                comments[chain, default: []].append(comment)
            } else if chain.hasPrefix("t_") || chain.hasPrefix("r_"), line.contains("counter packets") {
                guard let packets = number(after: "packets ", in: line), let bytes = number(after: "bytes ", in: line) else {
                    throw ProcParseError("nft list table ip lvsbench", line: index + 1, "a counter without packets and bytes")
                }
                if chain.hasPrefix("r_") { dnat[chain] = packets; continue }
                let key = String(chain.dropFirst(2))
                var entry = traffic[key] ?? (0, 0, (0, 0))
                if quoted(line, after: "comment ") == "out" { entry.out = (packets, bytes) } else { (entry.packets, entry.bytes) = (packets, bytes) }
                traffic[key] = entry
            }
        }
        var services: [ServiceSpec] = [], readings: [ServiceReading] = []
        for chain in order {
            guard let spec = NetfilterPlan.spec(comments: comments[chain] ?? []) else {
                throw ProcParseError("nft list table ip lvsbench", line: 0, "chain \(chain) does not record its service")
            }
            services.append(spec)
            let t = traffic[String(chain.dropFirst(2))] ?? (0, 0, (0, 0))
            readings.append(NetfilterPlan.reading(spec, conns: { dnat[NftablesRuleset.realChain(spec.service, $0)] ?? 0 },
                                                  inward: (t.packets, t.bytes), outward: t.out))
        }
        return NftablesListing(services: services, readings: readings)
    }

    /// The text between the double quotes that follow `marker`.
    static func quoted(_ line: String, after marker: String) -> String? {
        guard let start = line.range(of: marker + "\"") else { return nil }
        let rest = line[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    static func number(after marker: String, in line: String) -> UInt64? {
        guard let start = line.range(of: marker) else { return nil }
        return UInt64(line[start.upperBound...].prefix { $0.isNumber })
    }
}
