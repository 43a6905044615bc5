import Foundation
import IPVSControl
import SystemKit
import Vocabulary

/// A lab that is up: its recorded state and handles on its nodes. Everything that runs in
/// the lab (load, collection, tuning) goes through these nodes, so it works the same with a
/// native or a uml director.
public struct RunningLab: Sendable {
    public let state: LabState
    public let client: any LabNode
    public let router: any LabNode
    /// director1, which holds the VIP when the lab is built.
    public let director: any LabNode
    /// director2, standing by on the same links with the same IPVS services but neither VIP
    /// nor DIP (a lab with `spec.directors` 2), else nil. Not in `nodes`: what measures the
    /// lab looks at director1 only.
    public let standby: (any LabNode)?
    public let reals: [any LabNode]

    public init(state: LabState) {
        self.state = state
        func ns(_ name: String) -> NamespaceNode {
            let node = state.node(named: name)!
            return NamespaceNode(name: name, role: node.role, namespace: node.namespace)
        }
        client = ns("client")
        router = ns("router")
        switch state.directorHost {
        case .native: director = ns("director")
        case .uml: director = GuestNode(switchNamespace: state.switchNamespace, agentAddress: state.agentAddress ?? "",
                                        secretFile: AgentSecret.path(labDirectory: state.labDirectory))
        }
        let standbyName = DirectorSeat.standby.name
        switch state.directorHost {
        case .native:
            standby = state.node(named: standbyName).map { NamespaceNode(name: $0.name, role: .director, namespace: $0.namespace) }
        case .uml:
            standby = state.standbyAgentAddress.map {
                GuestNode(name: standbyName, switchNamespace: state.switchNamespace, agentAddress: $0,
                          secretFile: AgentSecret.path(labDirectory: state.labDirectory))
            }
        }
        reals = state.reals.map { ns($0.name) }
    }

    /// What the director does to traffic (see `DirectorBalancer`).
    public var balancer: any Balancer { DirectorBalancer.on(director, kind: state.spec.balancer, directory: state.labDirectory) }

    /// The standby director's balancer (IPVS, like director1's), nil without a standby.
    public var standbyBalancer: (any Balancer)? {
        standby.map { DirectorBalancer.on($0, kind: state.spec.balancer, directory: state.labDirectory) }
    }

    public var directorLinks: [CaptureLink] { state.directorLinks }
    /// real1's address on the direct client<->real1 path (crosses neither router nor director).
    public var directAddress: String { state.directAddress }
    public var vip: String { state.vip }
    public var services: [VirtualService] {
        [VirtualService(address: state.vip, port: state.httpPort), VirtualService(address: state.vip, port: state.tcpPort)]
    }

    /// Every node: `client`, `router`, `director`, `real1` ... `realN`, in that order.
    public var nodes: [any LabNode] { [client, router, director] + reals }

    /// `client`, `router`, `director`, `real1` ... `realN`, and `director2` when the lab has one.
    public func node(named name: String) throws -> any LabNode {
        let all = nodes + (standby.map { [$0] } ?? [])
        guard let node = all.first(where: { $0.name == name }) else {
            let names = all.map(\.name).joined(separator: ", ")
            throw InvalidInput("no node '\(name)' in lab \(state.name): use one of \(names)")
        }
        return node
    }

    /// Changes the scheduler of both services (and optionally every weight) in place with
    /// `ipvsadm -E`/`-e`; established connections stay. All or nothing; see `reconfigure`.
    public func setScheduler(_ scheduler: Scheduler, weights: [Int]?) throws {
        try reconfigure(scheduler: scheduler, weights: weights)
    }

    /// Sets real `real`'s (1-based) weight on both services; 0 quiesces it. All or nothing.
    public func setWeight(real: Int, weight: Int) throws {
        try reconfigure(real: (real, weight))
    }

    /// Changes the scheduler (nil: keep it), every weight (`weights`, one per real) or one
    /// real's weight (`real`), all or nothing: the previous scheduler and weights are read
    /// from the director first, and any failure, or `interrupted()` turning true, puts them
    /// back (see `BalancerTransaction`). The state is saved only once every change is in, so
    /// `lab status` always shows what the director has.
    public func reconfigure(scheduler: Scheduler? = nil, weights: [Int]? = nil, real: (index: Int, weight: Int)? = nil,
                            interrupted: () -> Bool = { false }) throws {
        var wanted: [Int?] = Array(repeating: nil, count: state.reals.count)
        if let weights {
            guard real == nil else { throw InvalidInput("give --weights for every real or --real N --weight W, not both") }
            guard weights.count == state.reals.count else {
                throw InvalidInput("\(weights.count) weights given for \(state.reals.count) reals: give one weight per real")
            }
            wanted = weights
        }
        if let real {
            _ = try realState(real.index)
            wanted[real.index - 1] = real.weight
        }
        if let bad = wanted.compactMap({ $0 }).first(where: { !Weights.range.contains($0) }) {
            throw InvalidInput("weight \(bad) is out of range: IPVS weights are 0 to 65535")
        }
        try changes(scheduler: scheduler, weights: wanted, previous: listing()).run(on: balancer, interrupted: interrupted)
        var updated = (try? LabStore.load(state.name)) ?? state
        if let scheduler {
            updated.scheduler = scheduler
            updated.spec.scheduler = scheduler
        }
        for (i, weight) in wanted.enumerated() {
            guard let weight else { continue }
            updated.reals[i].weight = weight
            updated.spec.weights[i] = weight
        }
        try LabStore.save(updated)
    }

    /// The steps that set `scheduler` on both services, then each real's wanted weight on
    /// both, each with the change that puts back what `previous` shows.
    func changes(scheduler: Scheduler?, weights: [Int?], previous: [ServiceSpec]) throws -> BalancerTransaction {
        var transaction = BalancerTransaction()
        if let scheduler {
            for s in services {
                guard let old = previous.first(where: { $0.service == s }).map(\.scheduler) else {
                    throw RuntimeFailure("the director has no service \(s.endpoint) with a known scheduler (`ipvsadm -Ln`): "
                                         + "rebuild the lab with `lvsbench lab down` and `lvsbench lab up`")
                }
                transaction.steps.append(.init(what: "setting the scheduler of \(s.endpoint) to \(scheduler.rawValue)",
                                               apply: .scheduler(s, scheduler: scheduler, persistence: state.persistence),
                                               undo: .scheduler(s, scheduler: old, persistence: state.persistence)))
            }
        }
        for (i, weight) in weights.enumerated() {
            guard let weight else { continue }
            let r = state.reals[i]
            for s in services {
                let old = previous.first { $0.service == s }?.real(r.address, port: s.port)
                transaction.steps.append(.init(
                    what: "setting the weight of \(r.name) on \(s.endpoint) to \(weight)",
                    apply: .real(s, RealSpec(address: r.address, port: s.port, forwarding: r.forwarding, weight: weight)),
                    undo: old.map { .real(s, RealSpec(address: r.address, port: s.port,
                                                      forwarding: $0.forwarding ?? r.forwarding, weight: $0.weight)) }))
            }
        }
        return transaction
    }

    /// Every service's and real's counters on the director.
    public func stats() throws -> [ServiceReading] {
        try balancer.counters()
    }

    /// The director's services as they run now: scheduler, reals, forwarding and weights.
    public func listing() throws -> [ServiceSpec] {
        try balancer.services()
    }
}
