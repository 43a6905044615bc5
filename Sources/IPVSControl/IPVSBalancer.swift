import SystemKit
import Vocabulary

/// The balancer as Linux IPVS does it, driven with `ipvsadm` on the director (`runner`).
public struct IPVSBalancer: Balancer {
    public let runner: any CommandRunning

    public init(runner: any CommandRunning) { self.runner = runner }

    public func install(_ spec: ServiceSpec) throws {
        try runner.check(IPVSCommand.addService(spec.service, scheduler: spec.scheduler, persistence: spec.persistence))
        for real in spec.reals {
            try runner.check(IPVSCommand.addReal(spec.service, real: real.address, port: real.port,
                                                 forwarding: try Self.forwarding(real.forwarding), weight: real.weight))
        }
    }

    public func apply(_ change: BalancerChange) throws {
        switch change {
        case .scheduler(let service, let scheduler, let persistence):
            try runner.check(IPVSCommand.editService(service, scheduler: scheduler, persistence: persistence))
        case .real(let service, let real):
            try runner.check(IPVSCommand.editReal(service, real: real.address, port: real.port,
                                                  forwarding: try Self.forwarding(real.forwarding), weight: real.weight))
        }
    }

    /// From `ipvsadm -Ln`; persistence from its `persistent N` flag.
    public func services() throws -> [ServiceSpec] {
        try IPVSListing.parse(runner.check(IPVSCommand.list).stdout).services.map { s in
            let flags = s.flags.split(separator: " ")
            let persistence = flags.firstIndex(of: "persistent").flatMap { flags.indices.contains($0 + 1) ? Int(flags[$0 + 1]) : nil }
            return ServiceSpec(service: s.service, scheduler: try Scheduler(parsing: s.scheduler), persistence: persistence,
                        reals: s.reals.map { RealSpec(address: $0.address, port: $0.port, forwarding: $0.forwarding,
                                                      weight: $0.weight) })
        }
    }

    /// From `ipvsadm -Ln --stats --exact`.
    public func counters() throws -> [ServiceReading] {
        try IPVSStatsListing.parse(runner.check(IPVSCommand.listStats).stdout).services
    }

    public func timeouts() throws -> ConnectionTimeouts {
        try IPVSTimeoutListing.parse(runner.check(IPVSCommand.listTimeouts).stdout)
    }

    public func setTimeouts(_ timeouts: ConnectionTimeouts) throws {
        try runner.check(IPVSCommand.setTimeouts(timeouts))
    }

    public func remove(_ service: VirtualService) throws {
        try runner.check(IPVSCommand.deleteService(service))
    }

    /// Every service in a few `ipvsadm -R` processes (`IPVSRestore`) rather than one
    /// `ipvsadm` per service and real. A piece that fails stops there: the services of the
    /// pieces before it stay installed, and the error names the failing command.
    public func install(all specs: [ServiceSpec]) throws {
        try restore(IPVSRestore.install(specs))
    }

    /// Every service in a few `ipvsadm -R` processes (see `install(all:)`).
    public func remove(all services: [VirtualService]) throws {
        try restore(IPVSRestore.remove(services))
    }

    /// Between pieces a signal stops the batch (`SignalTrap`), so Ctrl-C during 10,000
    /// services waits for one piece, not for all of them: the command runs in the director,
    /// out of the signal's reach.
    private func restore(_ lines: [String]) throws {
        // A piece of 64 KiB is about a thousand services: seconds in a UML guest, not minutes.
        for argv in IPVSRestore.commands(lines) {
            try SignalTrap.check()
            try runner.check(argv, timeout: 300)
        }
    }

    /// Zeroes every counter (`ipvsadm -Z`).
    public func zeroCounters() throws {
        try runner.check(IPVSCommand.zeroCounters)
    }

    static func forwarding(_ method: ForwardingMethod?) throws -> ForwardingMethod {
        guard let method else { throw InvalidInput("an IPVS real needs a forwarding method: nat, dr or tun") }
        return method
    }
}
