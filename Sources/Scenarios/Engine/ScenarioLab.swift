import Balancing
import Foundation
import IPVSControl
import Lab
import SystemKit
import Vocabulary

/// A running lab as a scenario acts on it: the faults (a real's servers killed, its link
/// cut), the director's reactions (weight, removal, IPVS sysctls, timeouts) and the nodes,
/// for what a scenario does on its own (a health checker, a second director). Every action
/// returns the detail the report shows next to the event.
public final class ScenarioLab: @unchecked Sendable {
    public let lab: RunningLab
    /// The real (1-based) the fault hits, once the runner has resolved the variant's target.
    public internal(set) var target: Int?

    init(lab: RunningLab) {
        self.lab = lab
    }

    public var director: any LabNode { lab.director }
    public var client: any LabNode { lab.client }
    public var realCount: Int { lab.state.reals.count }

    /// The real's address on the reals' net (the director's name for it).
    public func address(ofReal index: Int) -> String { lab.state.reals[index - 1].address }
    /// The name the real answers with (`realN`): the client's name for it.
    public func name(ofReal index: Int) -> String { lab.state.reals[index - 1].name }

    /// The fault's real; a step of a variant without a target is a scenario bug.
    public func targetReal() throws -> Int {
        guard let target else { throw RuntimeFailure("this variant's steps name the faulty real but the variant has no target") }
        return target
    }

    public func killServers(real index: Int) throws -> String {
        try lab.stopServers(real: index)
        return "nginx and the TCP responder of \(name(ofReal: index)) killed (SIGKILL)"
    }

    public func startServers(real index: Int) throws -> String {
        try lab.startServers(real: index)
        return "\(name(ofReal: index))'s servers started again"
    }

    public func cutLink(real index: Int) throws -> String {
        try lab.cutLink(real: index)
        return "\(name(ofReal: index))'s link cut: its packets vanish, no reset"
    }

    public func restoreLink(real index: Int) throws -> String {
        try lab.restoreLink(real: index)
        return "\(name(ofReal: index))'s link restored"
    }

    /// Sets the real's weight on both services in one command on the director, so the
    /// change lands within milliseconds of the fault it reacts to (`lab set` reads the
    /// listing and changes one service at a time, for a lab that lives on). The variant's lab
    /// is discarded afterwards, so its recorded weights are left as they were.
    public func setWeight(real index: Int, weight: Int) throws -> String {
        guard Weights.range.contains(weight) else { throw InvalidInput("weight \(weight) is out of range: IPVS weights are 0 to 65535") }
        let real = lab.state.reals[index - 1]
        let commands = lab.services.map { service in
            IPVSCommand.editReal(service, real: real.address, port: service.port, forwarding: real.forwarding, weight: weight)
        }
        try director.check(["sh", "-c", commands.map { $0.joined(separator: " ") }.joined(separator: " && ")])
        return "weight of \(name(ofReal: index)) set to \(weight) on both services"
    }

    /// Deletes the real from both virtual services (`ipvsadm -d`); its connection entries
    /// stay in the table until they expire (or `expire_nodest_conn` drops them).
    public func removeReal(_ index: Int) throws -> String {
        for service in lab.services {
            try director.check(IPVSCommand.deleteReal(service, real: address(ofReal: index), port: service.port))
        }
        return "\(name(ofReal: index)) removed from both services"
    }

    /// Sets a sysctl in the director's kernel (the guest's, or the director namespace's for
    /// `net.*`); it ends with the lab.
    public func setDirectorSysctl(_ key: String, _ value: String) throws -> String {
        try Self.setSysctl(key, value, on: director)
        return "\(key)=\(value) on the director"
    }

    /// Sets a sysctl in the client's namespace; it ends with the lab.
    public func setClientSysctl(_ key: String, _ value: String) throws -> String {
        try Self.setSysctl(key, value, on: client)
        return "\(key)=\(value) on the client"
    }

    public func setTimeouts(_ timeouts: ConnectionTimeouts) throws -> String {
        try lab.balancer.setTimeouts(timeouts)
        return "IPVS timeouts tcp \(timeouts.tcp) s, tcpfin \(timeouts.tcpFin) s, udp \(timeouts.udp) s"
    }

    /// A sysctl the node's kernel does not have is a clear error, not a silent no-op.
    static func setSysctl(_ key: String, _ value: String, on node: any LabNode) throws {
        let path = "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
        guard (try? node.readFile(path)) != nil else {
            throw InvalidInput("the \(node.name)'s kernel has no sysctl \(key): this scenario needs a kernel that has it")
        }
        try node.check(["sysctl", "-q", "-w", "\(key)=\(value)"])
    }
}
