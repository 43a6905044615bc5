import Balancing
import Foundation
import SystemKit

/// The kernel settings something changed on a lab's nodes, with the values found before.
/// The tuner writes it to `<lab dir>/tuning.json` before its first change; `lab down`
/// (and `tune reset`) replay it, so the lab never needs to know about the tuner.
public struct SysctlUndoLog: Codable, Equatable, Sendable {
    /// Where an entry is written: inside the node, or in the host's initial namespace
    /// (a host-wide sysctl the user allowed with --allow-global).
    public enum Place: String, Codable, Sendable {
        case node, host
    }

    public enum Kind: String, Codable, Sendable {
        /// `key` is a dotted sysctl name.
        case sysctl
        /// `ipvsadm --set tcp tcpfin udp` on the node; values are "tcp tcpfin udp".
        case ipvsTimeouts = "ipvs_timeouts"
    }

    public struct Entry: Codable, Equatable, Sendable {
        public var node: String
        public var kind: Kind
        public var key: String
        public var place: Place
        /// The value found before the change: what restore writes back.
        public var found: String
        /// The value the change sets.
        public var applied: String

        public init(node: String, kind: Kind, key: String, place: Place, found: String, applied: String) {
            self.node = node
            self.kind = kind
            self.key = key
            self.place = place
            self.found = found
            self.applied = applied
        }
    }

    /// What made the changes (a profile name), for `tune diff` and messages.
    public var origin: String
    public var createdAt: Date
    /// In the order applied; restore goes backwards.
    public var entries: [Entry]

    public init(origin: String, createdAt: Date = Date(), entries: [Entry]) {
        self.origin = origin
        self.createdAt = createdAt
        self.entries = entries
    }

    public static func path(labDirectory: String) -> String { labDirectory + "/tuning.json" }

    /// Runs a command in the host's initial namespace.
    public typealias HostCommand = @Sendable ([String]) throws -> ProcessResult
    public static let realHost: HostCommand = { argv in try ProcessRunner.run(argv, timeout: 30) }

    /// The log of the lab in `labDirectory`, or nil if nothing is recorded.
    public static func load(labDirectory: String) throws -> SysctlUndoLog? {
        let path = path(labDirectory: labDirectory)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONCoding.decode(SysctlUndoLog.self, from: data)
        } catch {
            throw RuntimeFailure("cannot read \(path): \(error); restore its values by hand or delete it")
        }
    }

    public func save(labDirectory: String) throws {
        try AtomicFile.writeJSON(self, to: Self.path(labDirectory: labDirectory))
    }

    /// The argv that sets sysctl `key` to `value`, run inside a node or on the host.
    public static func sysctlCommand(key: String, value: String) -> [String] {
        ["sysctl", "-q", "-w", "\(key)=\(value)"]
    }

    /// Sets `value` for an entry of `kind` inside `node`: a sysctl with `sysctl -w`, the
    /// timeouts through the director's balancer.
    public static func write(kind: Kind, key: String, value: String, on node: any LabNode) throws {
        switch kind {
        case .sysctl:
            try node.check(sysctlCommand(key: key, value: value), timeout: 30)
        case .ipvsTimeouts:
            guard let timeouts = ConnectionTimeouts(value) else {
                throw RuntimeFailure("'\(value)' is not three IPVS timeouts (tcp tcpfin udp)")
            }
            try DirectorBalancer.on(node).setTimeouts(timeouts)
        }
    }

    /// One entry that could not be restored, and why.
    public struct RestoreFailure: Sendable, CustomStringConvertible {
        public var entry: Entry
        public var reason: String
        public var description: String { "\(entry.key) on \(entry.node) (to \(entry.found)): \(reason)" }
    }

    /// Writes every `found` value back, last change first. Goes on past failures (a node
    /// that is already gone) and returns them; an entry for a node not in `nodes` counts as
    /// a failure. A host entry drops this lab's (`holder`, its directory) reference in the
    /// host-wide record instead, which writes the original back once no other lab relies on
    /// it; only a key the record lacks is written from the log. `host` runs the host entries
    /// (tests pass a stand-in, and a record in a scratch directory: they must never write
    /// the host's sysctls).
    public func restore(nodes: [any LabNode], holder: String, host: HostCommand = SysctlUndoLog.realHost,
                        hostGlobals: HostGlobalSysctls = .shared) -> [RestoreFailure] {
        var failures: [RestoreFailure] = []
        for entry in entries.reversed() {
            do {
                switch entry.place {
                case .host:
                    guard try hostGlobals.release(key: entry.key, holder: holder, host: host) == .notRecorded else { continue }
                    let argv = Self.sysctlCommand(key: entry.key, value: entry.found)
                    let result = try host(argv)
                    guard result.succeeded else { throw CommandFailed(argv: argv, result: result) }
                case .node:
                    guard let node = nodes.first(where: { $0.name == entry.node }) else {
                        failures.append(RestoreFailure(entry: entry, reason: "node not found"))
                        continue
                    }
                    try Self.write(kind: entry.kind, key: entry.key, value: entry.found, on: node)
                }
            } catch {
                failures.append(RestoreFailure(entry: entry, reason: "\(error)"))
            }
        }
        return failures
    }

    /// The hook for `lab down` and `tune reset`: restores the lab's log if there is one and
    /// removes it. Returns the entries that could not be restored, one line each; the log is
    /// then rewritten to hold exactly those (in their order), so `tune reset` retries them
    /// and nothing restored is restored twice (a host-wide reference released twice would
    /// release another lab's). At `lab down` the lab's directory goes with its nodes: a node's
    /// value dies with its node, and a host entry whose write failed keeps its reference in
    /// the host-wide record, which writes the original back at its next access once the lab's
    /// directory is gone.
    @discardableResult
    public static func restoreAndRemove(labDirectory: String, nodes: [any LabNode], host: HostCommand = realHost,
                                        hostGlobals: HostGlobalSysctls = .shared) throws -> [String] {
        guard var log = try load(labDirectory: labDirectory) else { return [] }
        let failures = log.restore(nodes: nodes, holder: labDirectory, host: host, hostGlobals: hostGlobals)
        guard !failures.isEmpty else {
            try? FileManager.default.removeItem(atPath: path(labDirectory: labDirectory))
            return []
        }
        let unrestored = failures.map(\.entry)
        log.entries = log.entries.filter { unrestored.contains($0) }
        try log.save(labDirectory: labDirectory)
        return failures.map(\.description)
    }
}
