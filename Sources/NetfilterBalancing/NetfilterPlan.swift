import Balancing
import SystemKit
import Vocabulary

/// What the netfilter balancers (nftables, iptables) share: which services they can run, and
/// how a service's weights become the slots of a connection counter. Both balance by DNAT
/// in the nat table, which sees only a connection's first packet, so counting connections
/// in a cycle of `slots` gives each real exactly its share, as IPVS's wrr does.
public enum NetfilterPlan {
    /// Refuses what DNAT cannot do, naming what works (exit 2).
    /// `nat`: whether every real is reached by NAT (`--mode nat`).
    public static func check(_ kind: BalancerKind, nat: Bool, scheduler: Scheduler, persistence: Int?) throws {
        if !nat {
            throw InvalidInput("\(kind.rawValue) balances by DNAT, which needs the replies back through the director: use --mode nat")
        }
        guard scheduler == .rr || scheduler == .wrr else {
            throw InvalidInput("\(kind.rawValue) has no scheduler \(scheduler.rawValue): use --scheduler rr or wrr")
        }
        if persistence != nil {
            throw InvalidInput("\(kind.rawValue) has no persistence here: drop --persistence or use --balancer ipvs")
        }
    }

    /// Refuses a spec `check` would refuse (a spec reaching the balancer directly).
    static func check(_ kind: BalancerKind, _ spec: ServiceSpec) throws {
        try check(kind, nat: spec.reals.allSatisfy { ($0.forwarding ?? .nat) == .nat }, scheduler: spec.scheduler,
                  persistence: spec.persistence)
    }

    /// The index into `spec.reals` of each slot of one cycle, in order: each real with a
    /// non-zero weight gets weight/gcd consecutive slots (one under rr); a real of weight 0
    /// (quiesced) gets none, as IPVS's rr and wrr skip it. Empty when every real is quiesced.
    public static func slots(_ spec: ServiceSpec) -> [Int] {
        let live = spec.reals.indices.filter { spec.reals[$0].weight > 0 }
        if spec.scheduler == .rr { return live }
        let divisor = live.map { spec.reals[$0].weight }.reduce(0, gcd)
        return live.flatMap { Array(repeating: $0, count: spec.reals[$0].weight / max(divisor, 1)) }
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// The comment that records a service in its own chain, so `services()` reads back what
    /// runs rather than what was asked.
    static func serviceComment(_ spec: ServiceSpec) -> String {
        "service \(spec.service.endpoint) scheduler \(spec.scheduler.rawValue)"
    }

    static func realComment(_ real: RealSpec) -> String { "real \(real.endpoint) weight \(real.weight)" }

    /// Reads the comments back into a spec (NAT reals); nil when `comments` hold no service.
    static func spec(comments: [String]) -> ServiceSpec? {
        var spec: ServiceSpec?
        for comment in comments {
            let words = comment.split(separator: " ").map(String.init)
            if words.count == 4, words[0] == "service", words[2] == "scheduler",
               let service = endpoint(words[1]), let scheduler = Scheduler(rawValue: words[3]) {
                spec = ServiceSpec(service: service, scheduler: scheduler, reals: [])
            } else if words.count == 4, words[0] == "real", words[2] == "weight",
                      let real = endpoint(words[1]), let weight = Int(words[3]) {
                spec?.reals.append(RealSpec(address: real.address, port: real.port, forwarding: .nat, weight: weight))
            }
        }
        return spec
    }

    /// "198.18.2.11:80" as address and port.
    static func endpoint(_ text: String) -> VirtualService? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        return VirtualService(address: String(text[..<colon]), port: port)
    }

    /// A service's reading: per real the connections its DNAT rule counted (`conns`), for
    /// the service their sum and the traffic counted each way.
    static func reading(_ spec: ServiceSpec, conns: (RealSpec) -> UInt64,
                        inward: (packets: UInt64, bytes: UInt64), outward: (packets: UInt64, bytes: UInt64)) -> ServiceReading {
        let reals = spec.reals.map { real in
            RealReading(proto: "TCP", service: spec.service, address: real.address, port: real.port,
                        counters: BalancerCounters(conns: conns(real), inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0))
        }
        let total = BalancerCounters(conns: reals.reduce(0) { $0 + $1.counters.conns }, inPackets: inward.packets,
                                     outPackets: outward.packets, inBytes: inward.bytes, outBytes: outward.bytes)
        return ServiceReading(proto: "TCP", service: spec.service, counters: total, reals: reals)
    }

    /// Refuses to install a service that already runs: its rules would be added twice.
    static func checkNew(_ specs: [ServiceSpec], running: [ServiceSpec], kind: BalancerKind) throws {
        let present = Set(running.map(\.service))
        if let clash = specs.first(where: { present.contains($0.service) }) {
            throw InvalidInput("\(kind.rawValue) already runs service \(clash.service.endpoint)")
        }
    }

    /// The running spec of each of `services`; refuses one that does not run.
    static func specs(of services: [VirtualService], in running: [ServiceSpec], kind: BalancerKind) throws -> [ServiceSpec] {
        try services.map { s in
            guard let spec = running.first(where: { $0.service == s }) else {
                throw InvalidInput("\(kind.rawValue) runs no service \(s.endpoint)")
            }
            return spec
        }
    }

    /// The service `change` names as it runs in `running`, and as it will after the change.
    static func changed(_ change: BalancerChange, in running: [ServiceSpec], kind: BalancerKind) throws -> (ServiceSpec, ServiceSpec) {
        let service: VirtualService
        switch change {
        case .scheduler(let s, _, _), .real(let s, _): service = s
        }
        guard let old = running.first(where: { $0.service == service }) else {
            throw InvalidInput("\(kind.rawValue) runs no service \(service.endpoint)")
        }
        var new = old
        switch change {
        case .scheduler(_, let scheduler, let persistence):
            try NetfilterPlan.check(kind, nat: true, scheduler: scheduler, persistence: persistence)
            new.scheduler = scheduler
        case .real(_, let real):
            try NetfilterPlan.check(kind, nat: (real.forwarding ?? .nat) == .nat, scheduler: old.scheduler, persistence: nil)
            guard let index = new.reals.firstIndex(where: { $0.endpoint == real.endpoint }) else {
                throw InvalidInput("\(kind.rawValue) service \(service.endpoint) has no real \(real.endpoint)")
            }
            new.reals[index].weight = real.weight
        }
        return (old, new)
    }
}
