import IPVSControl
import Vocabulary

/// A bridge inside the switch namespace.
public struct BridgePlan: Codable, Equatable, Sendable {
    public var namespace: String
    public var name: String
}

/// A veth pair created with both ends already in their namespaces; `bridge` (if any) is the
/// bridge in b's namespace that b joins.
public struct VethPlan: Codable, Equatable, Sendable {
    public var aNamespace: String
    public var aName: String
    public var bNamespace: String
    public var bName: String
    public var bridge: String?
}

/// A tap in the switch namespace for the UML guest; `bridge` nil for the management tap,
/// which carries `address` instead.
public struct TapPlan: Codable, Equatable, Sendable {
    public var namespace: String
    public var name: String
    public var bridge: String?
    public var address: String?
}

public struct InterfacePlan: Codable, Equatable, Sendable {
    public var name: String
    /// "a.b.c.d/len" strings.
    public var addresses: [String]
}

public struct RoutePlan: Codable, Equatable, Sendable {
    /// "default" or a prefix.
    public var destination: String
    public var via: String
}

public struct SysctlPlan: Codable, Equatable, Sendable {
    public var key: String
    public var value: String
}

/// What one node needs once its links exist.
public struct NodePlan: Codable, Equatable, Sendable {
    public var name: String
    public var role: NodeRole
    /// nil for the uml director (configured by its guest init).
    public var namespace: String?
    public var interfaces: [InterfacePlan]
    public var loopbackAddresses: [String]
    public var routes: [RoutePlan]
    public var sysctls: [SysctlPlan]
    /// Interfaces that get the tc-BPF IPIP decapsulator at ingress (tun reals).
    public var decapInterfaces: [String]
}

public struct IPVSRealPlan: Codable, Equatable, Sendable {
    public var address: String
    public var weight: Int
    public var forwarding: ForwardingMethod
}

/// The guest side of a uml director: taps in order (vec0, vec1, ...) and the agent address.
public struct GuestPlan: Codable, Equatable, Sendable {
    public var taps: [TapPlan]
    public var agentHost: String
    public var agentPort: Int
}

/// The whole lab, produced by the pure function `Topology.plan`, executed by `LabEngine`.
public struct LabPlan: Codable, Equatable, Sendable {
    public var spec: LabSpec
    public var directorHost: DirectorHost
    public var prefix: String
    public var vip: String
    public var httpPort: Int
    public var tcpPort: Int
    /// In creation order; the switch namespace first.
    public var namespaces: [String]
    public var switchNamespace: String
    public var bridges: [BridgePlan]
    public var veths: [VethPlan]
    public var guest: GuestPlan?
    public var nodes: [NodePlan]
    public var services: [VirtualService]
    public var reals: [IPVSRealPlan]
    public var directorLinks: [CaptureLink]
    public var directAddress: String
    public var directClientAddress: String
    /// The guest side of a uml director2 (`spec.directors` 2); nil otherwise, and then left
    /// out of the JSON, so a one-director plan is written as before.
    public var standbyGuest: GuestPlan? = nil

    public func node(_ name: String) -> NodePlan? { nodes.first { $0.name == name } }

    /// Every uml director's guest, director1's first.
    public var guests: [GuestPlan] { [guest, standbyGuest].compactMap { $0 } }

    /// The guest of uml director `node` (`director` or `director2`).
    public func guest(for node: String) -> GuestPlan? {
        node == DirectorSeat.standby.name ? standbyGuest : guest
    }
}
