import Foundation
import IPVSControl
import SystemKit

/// A lab that is up: its recorded state and handles on its nodes. Everything that runs in
/// the lab (load, collection, tuning) goes through these nodes, so it works the same with a
/// native or a uml director.
public struct RunningLab: Sendable {
    public let state: LabState
    public let client: any LabNode
    public let router: any LabNode
    public let director: any LabNode
    public let reals: [any LabNode]

    public init(state: LabState) {
        self.state = state
        func ns(_ name: String) -> NamespaceNode {
            let node = state.node(named: name)!
            return NamespaceNode(name: name, role: node.role, namespace: node.namespace)
        }
        client = ns("client")
        router = ns("router")
        switch state.backend {
        case .native: director = ns("director")
        case .uml: director = GuestNode(switchNamespace: state.switchNamespace, agentAddress: state.agentAddress ?? "")
        }
        reals = state.reals.map { ns($0.name) }
    }

    public var directorLinks: [CaptureLink] { state.directorLinks }
    /// real1's address on the direct client<->real1 path (crosses neither router nor director).
    public var directAddress: String { state.directAddress }
    public var vip: String { state.vip }
    public var services: [VirtualService] {
        [VirtualService(address: state.vip, port: state.httpPort), VirtualService(address: state.vip, port: state.tcpPort)]
    }

    /// `client`, `router`, `director`, `real1` ... `realN`.
    public func node(named name: String) throws -> any LabNode {
        let all: [any LabNode] = [client, router, director] + reals
        guard let node = all.first(where: { $0.name == name }) else {
            let names = all.map(\.name).joined(separator: ", ")
            throw InvalidInput("no node '\(name)' in lab \(state.name): use one of \(names)")
        }
        return node
    }

    /// Changes the scheduler of both services (and optionally every weight) in place with
    /// `ipvsadm -E`/`-e`; established connections stay. Records the change in the state.
    public func setScheduler(_ scheduler: Scheduler, weights: [Int]?) throws {
        if let weights {
            guard weights.count == state.reals.count else {
                throw InvalidInput("\(weights.count) weights given for \(state.reals.count) reals: give one weight per real")
            }
            if let bad = weights.first(where: { !Weights.range.contains($0) }) {
                throw InvalidInput("weight \(bad) is out of range: IPVS weights are 0 to 65535")
            }
        }
        for s in services {
            try director.check(IPVSCommand.editService(s, scheduler: scheduler, persistence: state.persistence))
        }
        var updated = state
        updated.scheduler = scheduler
        updated.spec.scheduler = scheduler
        if let weights {
            for (i, w) in weights.enumerated() {
                try editWeight(index: i, weight: w)
                updated.reals[i].weight = w
            }
            updated.spec.weights = weights
        }
        try LabStore.save(updated)
    }

    /// Sets real `real`'s (1-based) weight on both services; 0 quiesces it.
    public func setWeight(real: Int, weight: Int) throws {
        guard real >= 1, real <= state.reals.count else {
            throw InvalidInput("no real\(real) in lab \(state.name): it has real1 to real\(state.reals.count)")
        }
        guard Weights.range.contains(weight) else {
            throw InvalidInput("weight \(weight) is out of range: IPVS weights are 0 to 65535")
        }
        try editWeight(index: real - 1, weight: weight)
        var updated = (try? LabStore.load(state.name)) ?? state
        updated.reals[real - 1].weight = weight
        updated.spec.weights[real - 1] = weight
        try LabStore.save(updated)
    }

    func editWeight(index: Int, weight: Int) throws {
        let r = state.reals[index]
        for s in services {
            try director.check(IPVSCommand.editReal(s, real: r.address, port: s.port, forwarding: r.forwarding, weight: weight))
        }
    }

    /// `ipvsadm -Ln --stats --exact` on the director, parsed.
    public func stats() throws -> IPVSStatsListing {
        try IPVSStatsListing.parse(director.check(IPVSCommand.listStats).stdout)
    }

    /// `ipvsadm -Ln` on the director, parsed.
    public func listing() throws -> IPVSListing {
        try IPVSListing.parse(director.check(IPVSCommand.list).stdout)
    }
}

/// Reads and writes lab state files.
public enum LabStore {
    public static func save(_ state: LabState) throws {
        try AtomicFile.writeJSON(state, to: LabEnvironment.statePath(state.name))
    }

    public static func load(_ name: String) throws -> LabState {
        let path = LabEnvironment.statePath(name)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InvalidInput("no lab named '\(name)' (no \(path)): start one with `lvsbench lab up --name \(name)`")
        }
        do { return try JSONCoding.decode(LabState.self, from: data) } catch {
            throw RuntimeFailure("lab state \(path) is unreadable (\(error)): remove the lab with `lvsbench lab down --all`")
        }
    }

    /// Names of labs that have a state directory, sorted.
    public static func names() -> [String] {
        let dirs = (try? FileManager.default.contentsOfDirectory(atPath: LabEnvironment.labsDirectory)) ?? []
        return dirs.filter { FileManager.default.fileExists(atPath: LabEnvironment.statePath($0)) }.sorted()
    }
}
