import Foundation
import SystemKit

/// Faults a scenario injects into a running lab: a real's servers crash (and come back), or
/// its link goes dark (and comes back). Each acts on the lab itself and keeps the state file
/// true to it, so `lab down` stops exactly what runs whatever the scenario left.
extension RunningLab {
    /// Kills real `index`'s nginx and TCP responder with SIGKILL, as a crash would: nothing
    /// closes gracefully, the kernel resets their connections. Their records leave the state.
    /// A real whose servers are already stopped stays as it is.
    public func stopServers(real index: Int) throws {
        let real = try realState(index)
        var updated = try LabStore.load(state.name)
        let records = updated.processes.filter { serverLabels(real.name).contains($0.label) }
        let survivors = records.filter { !DetachedProcess.stop($0.pid, marker: $0.marker, group: $0.group) }
        updated.processes.removeAll { record in records.contains(record) && !survivors.contains(record) }
        try LabStore.save(updated)
        if let left = survivors.first {
            throw RuntimeFailure("could not stop \(left.label) (pid \(left.pid)) of lab \(state.name): "
                                 + "it is still recorded, `lvsbench lab down --name \(state.name)` retries")
        }
    }

    /// Starts real `index`'s nginx and TCP responder again, as `lab up` does (recorded in the
    /// state before each starts), and returns once the real answers HTTP 200 on its own
    /// address and its responder accepts, both from its namespace; fails after 10 s.
    public func startServers(real index: Int) throws {
        let real = try realState(index)
        var updated = try LabStore.load(state.name)
        if let running = updated.processes.first(where: { serverLabels(real.name).contains($0.label) && DetachedProcess.isAlive($0.pid) }) {
            throw InvalidInput("\(running.label) of lab \(state.name) still runs (pid \(running.pid)): stop the servers of real\(index) first")
        }
        updated.processes.removeAll { serverLabels(real.name).contains($0.label) }
        let node = try recordedNode(real.name, in: updated)
        try LabBuilder.startServers(real: real.name, namespace: node.namespace, address: real.address, into: &updated)
        let url = "http://\(real.address):\(state.httpPort)/"
        let deadline = Date().addingTimeInterval(10)
        var last = ""
        while Date() < deadline {
            let r = try reals[index - 1].run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "1", url], timeout: 5)
            last = r.stdout
            let responder = (try? Socket.connect("127.0.0.1:\(state.tcpPort)", namespace: node.namespace, timeout: 1))
                .map { $0.close(); return true } ?? false
            if last == "200" && responder { return }
            usleep(50_000)
        }
        throw RuntimeFailure("real\(index) did not answer \(url) with 200 within 10 s of restarting its servers "
                             + "(last: '\(last)'): see \(state.labDirectory)/\(real.name)/nginx.log")
    }

    /// Takes real `index`'s switch-side link down: its packets then vanish in the bridge, with
    /// no reset and no ICMP, as when a cable is pulled or a host hangs.
    public func cutLink(real index: Int) throws {
        try setLink(real: index, up: false)
    }

    /// Brings real `index`'s switch-side link back up.
    public func restoreLink(real index: Int) throws {
        try setLink(real: index, up: true)
    }

    func setLink(real index: Int, up: Bool) throws {
        _ = try realState(index)
        try ProcessRunner.check(["ip", "-n", state.switchNamespace, "link", "set", Self.switchPort(real: index),
                                 up ? "up" : "down"], timeout: 10)
    }

    /// The bridge port of real `index` in the switch namespace (`Topology.plan` names it).
    static func switchPort(real index: Int) -> String { "r\(index)" }

    func realState(_ index: Int) throws -> RealState {
        guard (1...state.reals.count).contains(index) else {
            throw InvalidInput("no real\(index) in lab \(state.name): it has real1 to real\(state.reals.count)")
        }
        return state.reals[index - 1]
    }

    func serverLabels(_ name: String) -> [String] { ["nginx \(name)", "responder \(name)"] }

    private func recordedNode(_ name: String, in state: LabState) throws -> NodeState {
        guard let node = state.node(named: name) else {
            throw RuntimeFailure("lab \(state.name) records no node \(name): rebuild it with `lvsbench lab down` and `lvsbench lab up`")
        }
        return node
    }
}
