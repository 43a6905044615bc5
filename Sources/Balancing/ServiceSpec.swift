import Vocabulary

/// A virtual service as a balancer is told to run it: where it listens, how it picks a real,
/// and its reals.
public struct ServiceSpec: Codable, Equatable, Sendable {
    public var service: VirtualService
    /// How it picks a real for a new connection, in IPVS's names; another balancer maps it
    /// to its own equivalent or refuses it (`BalancerKind`).
    public var scheduler: Scheduler
    /// Seconds a client sticks to its real; nil for none.
    public var persistence: Int?
    public var reals: [RealSpec]

    public init(service: VirtualService, scheduler: Scheduler, persistence: Int? = nil, reals: [RealSpec]) {
        self.service = service
        self.scheduler = scheduler
        self.persistence = persistence
        self.reals = reals
    }

    /// The real at `address`:`port`, if the service has it.
    public func real(_ address: String, port: Int) -> RealSpec? {
        reals.first { $0.address == address && $0.port == port }
    }
}

/// A real server of a virtual service: where the balancer sends connections, how, and how many.
public struct RealSpec: Codable, Equatable, Hashable, Sendable {
    public var address: String
    public var port: Int
    /// How the balancer hands it a connection; nil when the balancer reported a method it
    /// has no name for.
    public var forwarding: ForwardingMethod?
    /// Relative share of new connections; 0 sends it none (quiesced).
    public var weight: Int

    public init(address: String, port: Int, forwarding: ForwardingMethod?, weight: Int) {
        self.address = address
        self.port = port
        self.forwarding = forwarding
        self.weight = weight
    }

    /// "198.18.1.2:80".
    public var endpoint: String { "\(address):\(port)" }
}

/// One live change to a running balancer, small enough to be undone by its opposite.
public enum BalancerChange: Equatable, Hashable, Sendable {
    /// Sets the scheduler (and persistence) of a service; its reals stay.
    case scheduler(VirtualService, scheduler: Scheduler, persistence: Int?)
    /// Sets a real's weight (and forwarding) on a service.
    case real(VirtualService, RealSpec)
}
