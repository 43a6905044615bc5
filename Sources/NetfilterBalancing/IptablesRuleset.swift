import Balancing

/// The iptables rules of the balancer, as `iptables-restore --noflush` text, rendered by
/// pure functions so tests check them exactly. Modelled on kube-proxy's iptables mode: the
/// nat table's PREROUTING jumps to LVSBENCH-SERVICES, which holds one rule per service (the
/// linear walk kube-proxy measured: the last service added is matched last), jumping to the
/// service's chain, whose `statistic --mode nth` rules pick a real's chain, which DNATs the
/// connection; its counter counts connections, since the nat table sees only a connection's
/// first packet. A rule in a cycle of n slots that takes every (n - i)-th of what reaches it
/// takes exactly one connection per cycle, so shares per weight are exact like IPVS's wrr.
/// The filter table's FORWARD jumps to LVSBENCH-TRAFFIC, which counts each service's packets
/// and bytes both ways by the conntrack entry's original destination.
public enum IptablesRuleset {
    static let services = "LVSBENCH-SERVICES"
    static let traffic = "LVSBENCH-TRAFFIC"

    /// "C61201640050": an address and port in hex, so chain names stay within 28 characters.
    static func key(_ address: String, _ port: Int) -> String {
        (address.split(separator: ".").compactMap { UInt8($0) } .map { hex($0, 2) } + [hex(port, 4)]).joined()
    }

    static func hex<T: BinaryInteger>(_ value: T, _ width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func serviceChain(_ s: VirtualService) -> String { "LVS" + key(s.address, s.port) }
    static func realChain(_ s: VirtualService, _ r: RealSpec) -> String { "LVR" + key(s.address, s.port) + key(r.address, r.port) }

    static func dispatchRule(_ s: VirtualService) -> String {
        "\(services) -d \(s.address)/32 -p tcp -m tcp --dport \(s.port) -j \(serviceChain(s))"
    }

    static func trafficRules(_ s: VirtualService) -> [String] {
        ["ORIGINAL": "in", "REPLY": "out"].sorted { $0.key < $1.key }.map { direction, name in
            "\(traffic) -p tcp -m conntrack --ctorigdst \(s.address)/32 --ctorigdstport \(s.port) --ctdir \(direction) "
                + "-m comment --comment \"\(name) \(s.endpoint)\""
        }
    }

    /// Adds `specs`; `fresh` when the balancer's own chains do not exist yet, so they are
    /// created and hooked into PREROUTING and FORWARD once.
    public static func install(_ specs: [ServiceSpec], fresh: Bool) -> String {
        var nat: [String] = [], filter: [String] = []
        if fresh {
            nat += [":\(services) - [0:0]", "-A PREROUTING -j \(services)"]
            filter += [":\(traffic) - [0:0]", "-A FORWARD -j \(traffic)"]
        }
        for spec in specs {
            nat += spec.reals.flatMap { realLines(spec.service, $0) }
            nat += serviceLines(spec)
            nat.append("-A " + dispatchRule(spec.service))
            filter += trafficRules(spec.service).map { "-A " + $0 }
        }
        return tables(nat: nat, filter: filter)
    }

    /// Changes a running service from `old` to `new`: only the service's chain is declared
    /// (which flushes it), so the reals that stay keep their connection counts.
    public static func update(from old: ServiceSpec, to new: ServiceSpec) -> String {
        let kept = Set(old.reals.map(\.endpoint))
        let gone = old.reals.filter { r in !new.reals.contains { $0.endpoint == r.endpoint } }
        var nat = new.reals.filter { !kept.contains($0.endpoint) }.flatMap { realLines(new.service, $0) }
        nat += serviceLines(new)
        nat += gone.flatMap { ["-F \(realChain(old.service, $0))", "-X \(realChain(old.service, $0))"] }
        return tables(nat: nat, filter: [])
    }

    /// Removes `specs`' services, their chains and rules.
    public static func remove(_ specs: [ServiceSpec]) -> String {
        var nat: [String] = [], filter: [String] = []
        for spec in specs {
            let chains = [serviceChain(spec.service)] + spec.reals.map { realChain(spec.service, $0) }
            nat.append("-D " + dispatchRule(spec.service))
            nat += chains.map { "-F " + $0 } + chains.map { "-X " + $0 }
            filter += trafficRules(spec.service).map { "-D " + $0 }
        }
        return tables(nat: nat, filter: filter)
    }

    static func tables(nat: [String], filter: [String]) -> String {
        var lines: [String] = []
        if !nat.isEmpty { lines += ["*nat"] + nat + ["COMMIT"] }
        if !filter.isEmpty { lines += ["*filter"] + filter + ["COMMIT"] }
        return lines.joined(separator: "\n") + "\n"
    }

    static func realLines(_ s: VirtualService, _ real: RealSpec) -> [String] {
        let chain = realChain(s, real)
        return [":\(chain) - [0:0]", "-A \(chain) -p tcp -j DNAT --to-destination \(real.endpoint)"]
    }

    /// The service's chain, declared (so emptied) and refilled: its record and the pick.
    static func serviceLines(_ spec: ServiceSpec) -> [String] {
        let chain = serviceChain(spec.service)
        var lines = [":\(chain) - [0:0]", "-A \(chain) -m comment --comment \"\(NetfilterPlan.serviceComment(spec))\""]
        lines += spec.reals.map { "-A \(chain) -m comment --comment \"\(NetfilterPlan.realComment($0))\"" }
        let slots = NetfilterPlan.slots(spec)
        for (i, real) in slots.enumerated() {
            let target = "-j \(realChain(spec.service, spec.reals[real]))"
            let left = slots.count - i
            lines.append(left == 1 ? "-A \(chain) \(target)"
                                   : "-A \(chain) -m statistic --mode nth --every \(left) --packet 0 \(target)")
        }
        return lines
    }
}
