import Foundation
import IPVSControl
import Lab
import SystemKit

/// Counts, on the wire, the SYNs the director forwards to each real, with their times: the
/// exact "new connections sent to this real" at any moment. IPVS's own per-real `Conns`
/// counter cannot give that: the kernel folds its per-CPU counters into what `ipvsadm
/// --stats` shows only every two seconds (its rate estimator's tick), so a count read just
/// after a change still lacks up to two seconds of connections placed before it.
///
/// tcpdump watches the director's link toward the reals from the switch namespace, packets
/// the director sends only (`-Q in` on the switch side), with a kernel filter that keeps
/// SYNs without ACK (and, for TUN, IPIP packets carrying one); each is attributed to a real
/// by its destination MAC, which is the real's in every forwarding mode. It is recorded in
/// the lab's state, so `lab down` ends it whatever happens.
///
/// A SYN from a client address and port already sent to the same real is marked repeated:
/// a retransmission, or a reused client port that followed its old connection entry (in DR
/// and TUN `conn_reuse_mode=1` never reschedules those, see port-reuse). The scheduler did
/// not choose the real for it, which matters once the real is quiesced. Entries already in
/// the director's table when counting starts (the lab's own checks leave some) count as
/// seen, since a reused port follows those too.
final class WireSynCounter {
    private let lab: RunningLab
    private let macs: [String: Int]
    private let log: String
    /// `realIndex client.port` of the entries the director held when counting started.
    private var tabled: Set<String> = []
    static let label = "syn counter"

    /// SYN alone in plain TCP, or in the TCP header inside an IPIP packet without options
    /// (byte 53: 20 of the outer IP header, 20 of the inner, 13 into TCP).
    /// A SYN from an address on the reals' net is the director's own (a health checker's
    /// probe from its DIP), not a client's connection it forwards; an IPIP packet's outer
    /// source is always the director, so only plain TCP is told apart that way.
    static let filter = "(tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn and not src net \(Topology.realsNet).0/24) "
        + "or (ip proto 4 and ip[53] & 0x12 == 0x02)"

    private init(lab: RunningLab, macs: [String: Int], log: String) {
        self.lab = lab
        self.macs = macs
        self.log = log
    }

    /// Starts counting; nil (with the reason) where the lab cannot be watched this way.
    static func start(on lab: RunningLab) throws -> WireSynCounter {
        guard ToolLocator.find("tcpdump") != nil else {
            throw InvalidInput("tcpdump is not installed: install it (scripts/setup.sh does) to count SYNs per real")
        }
        guard let link = lab.directorLinks.first(where: { $0.side == .inside || $0.side == .lan }) else {
            throw RuntimeFailure("lab \(lab.state.name) records no director link toward the reals")
        }
        var macs: [String: Int] = [:]
        for (index, real) in lab.reals.enumerated() {
            let mac = try real.readFile("/sys/class/net/eth0/address").trimmingCharacters(in: .whitespacesAndNewlines)
            macs[mac.lowercased()] = index + 1
        }
        let pcap = lab.state.labDirectory + "/syns.pcap", log = lab.state.labDirectory + "/syns.log"
        let argv = ["ip", "netns", "exec", link.namespace, "tcpdump", "-i", link.interface, "-Q", "in", "-nn", "-e", "-tt",
                    "-U", "-w", pcap, "--print", filter]
        _ = try lab.startRecorded(argv, label: label, marker: pcap, log: log)
        let counter = WireSynCounter(lab: lab, macs: macs, log: log)
        try counter.waitUntilListening()
        let reals = Dictionary(lab.state.reals.enumerated().map { ($1.address, $0 + 1) }, uniquingKeysWith: { a, _ in a })
        counter.tabled = Set(try IPVSConnTable.entries(parsing: try lab.director.readFile(IPVSConnTable.source)).compactMap { e in
            reals[e.real].map { "\($0) \(e.client).\(e.clientPort)" }
        })
        return counter
    }

    /// tcpdump says "listening on" once its filter is in place; packets before that are not seen.
    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: log, encoding: .utf8), text.contains("listening on") { return }
            usleep(20_000)
        }
        throw RuntimeFailure("tcpdump counting SYNs did not start within 5 s: see \(log)")
    }

    /// Stops tcpdump and returns each real's SYNs (Unix seconds), by real index.
    func stop() throws -> [Int: [Syn]] {
        try lab.stopRecorded(label: Self.label)
        return Self.parse(try String(contentsOfFile: log, encoding: .utf8), macs: macs, tabled: tabled)
    }

    /// Whether a real's SYN times can be believed: a real that answered before the fault got
    /// SYNs before it, so a count that saw none missed them (a link or encapsulation the
    /// filter does not match) and must not pass for "none sent".
    static func trusted(_ syns: [Double], answeredBefore answered: UInt64, fault: Double) -> Bool {
        answered == 0 || syns.contains { $0 < fault }
    }

    /// One forwarded SYN: when, and whether its client address and port had already been
    /// sent to this real.
    struct Syn: Equatable {
        var t: Double
        var repeated: Bool
    }

    /// `1733240000.123456 02:aa:..:01 > 02:bb:..:0c, ethertype IPv4 (0x0800), length 74:
    /// 198.18.0.2.40000 > 198.18.2.11.80: Flags [S], ...`; for IPIP the outer addresses come
    /// first, then the inner `client.port > vip.port: Flags [S]`.
    /// `tabled` holds `realIndex client.port` pairs seen before the text began.
    static func parse(_ text: String, macs: [String: Int], tabled: Set<String> = []) -> [Int: [Syn]] {
        var syns: [Int: [Syn]] = [:]
        var seen = tabled
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ", maxSplits: 4)
            guard f.count >= 4, f[2] == ">", let t = Double(f[0]) else { continue }
            let destination = f[3].trimmingCharacters(in: CharacterSet(charactersIn: ",")).lowercased()
            guard let real = macs[destination] else { continue }
            let repeated = client(in: line).map { !seen.insert("\(real) \($0)").inserted } ?? false
            syns[real, default: []].append(Syn(t: t, repeated: repeated))
        }
        return syns
    }

    /// The client's `address.port` of the TCP segment a line shows (the inner one in IPIP).
    static func client(in line: Substring) -> Substring? {
        let parts = line.components(separatedBy: ": ")
        guard let flags = parts.firstIndex(where: { $0.hasPrefix("Flags [") }), flags > 0,
              let source = parts[flags - 1].split(separator: " ").first else { return nil }
        return Substring(source)
    }
}
