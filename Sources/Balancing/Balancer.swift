/// What the director does to traffic, whatever does it (IPVS today): virtual services with
/// reals, weights and a scheduler, changed live, counted per service and per real, with
/// connection timeouts. The lab installs, reconfigures and lists through it; the tuner and
/// the undo log read and set its timeouts. Only its implementation knows commands, listings
/// and kernel interfaces (the collector's per-sample reading, which must cost the director
/// next to nothing, still reads IPVS's own files and netlink family, into the same
/// `BalancerCounters` and `RealReading`).
public protocol Balancer: Sendable {
    /// Adds `spec`'s service and its reals.
    func install(_ spec: ServiceSpec) throws
    /// Makes one live change; connections already placed stay where they are.
    func apply(_ change: BalancerChange) throws
    /// Every service as it runs now, with its scheduler and reals.
    func services() throws -> [ServiceSpec]
    /// Counters of every service and each of its reals, cumulative.
    func counters() throws -> [ServiceReading]
    func timeouts() throws -> ConnectionTimeouts
    func setTimeouts(_ timeouts: ConnectionTimeouts) throws
    /// Removes a service and its reals.
    func remove(_ service: VirtualService) throws
    /// Installs `specs` in order. Requirements, not only extension methods, so a batch form
    /// is what a caller holding `any Balancer` gets (defaults: one by one, below).
    func install(all specs: [ServiceSpec]) throws
    /// Removes `services` (default: one by one).
    func remove(all services: [VirtualService]) throws
}

extension Balancer {
    /// Installs many services at once. Implementations with a batch form (a restore file, one
    /// configuration) override it, since programming thousands of services one command at a
    /// time measures process starts, not the balancer (`lvsbench scale` times this).
    public func install(all specs: [ServiceSpec]) throws {
        for spec in specs { try install(spec) }
    }

    /// Removes many services at once (see `install(all:)`).
    public func remove(all services: [VirtualService]) throws {
        for service in services { try remove(service) }
    }
}
