import Foundation
import Lab
import SystemKit

/// keepalived running inside one lab node with one configuration, in that node's own network
/// namespace and kernel: what it adds to IPVS and the addresses it takes are the node's, never
/// the host's.
///
/// Its files (configuration, pid files, log) are written by the node itself into a directory
/// the node sees: for a namespace, in the lab's directory on the host, and the daemon is
/// recorded in the lab's state so `lab down` ends it (a namespace's end ends no process); for
/// a UML guest, whose /run is a tmpfs of its own (the lab directory may be hidden there), on
/// that tmpfs: nothing lands on the host, and the guest's poweroff ends the daemon.
public struct KeepalivedDaemon: Sendable {
    public let node: any LabNode
    public let lab: RunningLab
    /// Where its files are, as the node sees them.
    public let directory: String
    /// keepalived's parent process, as the node numbers it.
    public let pid: Int32

    public var configPath: String { Self.configPath(directory) }
    public var logPath: String { directory + "/keepalived.log" }
    /// The label of its record in the lab's state (a namespace node's daemon only).
    public var label: String { Self.label(node) }

    /// The directory of keepalived's files for `node` of `lab`.
    public static func directory(for node: any LabNode, in lab: RunningLab) -> String {
        node is NamespaceNode ? "\(lab.state.labDirectory)/keepalived-\(node.name)" : "/run/lvsbench-keepalived-\(node.name)"
    }

    static func configPath(_ directory: String) -> String { directory + "/keepalived.conf" }
    static func label(_ node: any LabNode) -> String { "keepalived \(node.name)" }

    /// keepalived in the foreground of its own process (`-n`), logging in detail to its
    /// output (not syslog), every pid file in `directory` (not the node's /run/keepalived*).
    static func command(directory: String) -> [String] {
        ["keepalived", "-n", "-l", "-D", "-G", "-f", configPath(directory), "-p", directory + "/keepalived.pid",
         "-r", directory + "/vrrp.pid", "-c", directory + "/checkers.pid"]
    }

    /// Writes `config` into the node, checks it there (`keepalived -t`, which also checks that
    /// the interfaces it names exist in the node), starts keepalived and returns once it has
    /// written its pid file and still runs; fails after 10 s with the last line of its log.
    public static func start(_ config: KeepalivedConfig, on node: any LabNode, in lab: RunningLab) throws -> KeepalivedDaemon {
        let directory = directory(for: node, in: lab)
        let write = #"umask 077 && mkdir -p "$1" && printf '%s' "$2" > "$1/keepalived.conf""#
        try node.check(["sh", "-c", write, "sh", directory, config.render()])
        let test = try node.run(["keepalived", "-t", "-e", "-f", configPath(directory)], timeout: 30)
        let complaints = (test.stderr + test.stdout).split(separator: "\n")
        guard test.succeeded, complaints.isEmpty else {
            throw RuntimeFailure("keepalived refused its configuration in \(node.name): "
                                 + "\(complaints.first ?? "exit \(test.status)") (see \(configPath(directory)))")
        }
        let log = directory + "/keepalived.log"
        let pid: Int32
        if let namespace = node as? NamespaceNode {
            pid = try lab.startRecorded(namespace.wrap(command(directory: directory)), label: label(node),
                                        marker: configPath(directory), log: log)
        } else {
            // The daemon must hold none of the agent's descriptors, or the agent's reply waits
            // for it: its output goes to its log and every other descriptor is closed first
            // (by bash: dash reads `exec 10>&-` as a command named 10).
            let closeAll = #"for f in /proc/$$/fd/*; do f=${f##*/}; [ "$f" -gt 2 ] && eval "exec $f>&-"; done 2>/dev/null; "#
            let r = try node.check(["bash", "-c", closeAll + #""$@" </dev/null >>"$0" 2>&1 & echo $!"#, log]
                                   + command(directory: directory))
            guard let started = Int32(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw RuntimeFailure("keepalived started in \(node.name) but its pid is unknown ('\(r.stdout)')")
            }
            pid = started
        }
        let daemon = KeepalivedDaemon(node: node, lab: lab, directory: directory, pid: pid)
        try daemon.waitUntilRunning()
        return daemon
    }

    func waitUntilRunning() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard isRunning else {
                throw RuntimeFailure("keepalived exited in \(node.name) right after starting: \(lastLogLine) (see \(logPath))")
            }
            let written = (try? node.readFile(directory + "/keepalived.pid"))?.trimmingCharacters(in: .whitespacesAndNewlines)
            if written == String(pid) { return }
            usleep(100_000)
        }
        throw RuntimeFailure("keepalived in \(node.name) wrote no pid file within 10 s: \(lastLogLine) (see \(logPath))")
    }

    /// Whether the daemon's process still runs in the node.
    public var isRunning: Bool {
        if node is NamespaceNode { return DetachedProcess.isAlive(pid) }
        return (try? node.run(["kill", "-0", String(pid)], timeout: 10))?.succeeded ?? false
    }

    /// What keepalived has logged so far.
    public func log() throws -> String { try node.readFile(logPath) }

    /// The last line keepalived logged, for an error message.
    public var lastLogLine: String {
        ((try? log()) ?? "").split(separator: "\n").last.map(String.init) ?? "no log"
    }

    /// Ends the daemon: SIGTERM, so it removes the services and addresses it added, then
    /// SIGKILL after 5 s. In a namespace node its record leaves the lab's state.
    public func stop() throws {
        if node is NamespaceNode { return try lab.stopRecorded(label: label) }
        let script = #"kill -TERM "$1" 2>/dev/null || exit 0; i=0; while kill -0 "$1" 2>/dev/null; do "#
            + #"i=$((i+1)); [ $i -gt 50 ] && kill -KILL "$1"; sleep 0.1; done"#
        try node.check(["sh", "-c", script, "sh", String(pid)], timeout: 30)
    }
}
