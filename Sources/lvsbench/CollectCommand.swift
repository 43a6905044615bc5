import ArgumentParser
import Collector
import Foundation
import Lab
import SystemKit

/// `lvsbench collect`: samples a running lab's kernel counters (and captures the director's
/// links) into a time series file.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Sample IPVS and kernel counters of a running lab into a time series.",
        discussion: """
        Samples every node (IPVS totals, per-real counters, connection states and timeouts on the director; SNMP, softnet, CPU, interface and conntrack counters everywhere) and captures the director's links with libpcap. Ctrl-C (or SIGTERM, SIGHUP) stops and still writes the file; the exit code is then the signal's (130, 143, 129).

        Example:
          lvsbench collect --interval 100ms --duration 30s --out run.jsonl
        """
    )
    @Option(help: "Lab name (default: the only lab up).") var name: String?
    @Option(help: "Time between samples, 100ms (10 Hz) to 24h.") var interval = "1s"
    @Option(help: "How long to collect (e.g. 30s, at most 24h); default: until Ctrl-C.") var duration: String?
    @Option(help: "Time series file (JSON lines), written atomically.") var out = "collect.jsonl"
    @Flag(help: "Do not capture the director's links (no libpcap).") var noCapture = false
    @Flag(help: "Print the summary as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let options = LabCollection.Options(
                interval: try Quantities.duration(interval, what: "--interval",
                                                  range: Collector.minimumInterval...Quantities.maxDuration),
                duration: try duration.map { try Quantities.duration($0, what: "--duration") },
                capture: !noCapture)
            try Collector.checkInterval(options.interval)
            try Privileges.requireRoot(for: "collect")
            let lab = RunningLab(state: try LabStore.load(resolveLab(name)))
            SignalTrap.install()
            let series = try LabCollection.run(lab, options: options, shouldStop: { SignalTrap.interrupted }) { count in
                if isatty(2) != 0 { Console.error("\rcollect: \(count) samples") }
            }
            if isatty(2) != 0 { Console.error("\n") }
            try series.writeJSONLines(to: out)
            let summary = CollectionSummary(series)
            if json {
                print(String(decoding: try JSONCoding.encode(CollectOutput(file: out, summary: summary, wire: series.wire)),
                             as: UTF8.self), terminator: "")
            } else {
                printSummary(summary, wire: series.wire)
            }
            if let signal = SignalTrap.signal { throw ExitCode(ExitStatus.interrupted(by: signal).rawValue) }
        }
    }

    struct CollectOutput: Encodable {
        var file: String
        var summary: CollectionSummary
        var wire: WireReport?
    }

    func printSummary(_ s: CollectionSummary, wire: WireReport?) {
        print("\(s.samples) samples over \(String(format: "%.1f", s.seconds)) s -> \(out)")
        if let d = s.director {
            print("director IPVS: \(d.conns) conns, \(d.inPackets) packets in, \(d.outPackets) packets out, "
                + "\(d.inBytes) bytes in, \(d.outBytes) bytes out")
        }
        if let softirq = s.directorSoftirqPercent, let busy = s.directorBusyPercent {
            print(String(format: "director CPU: %.1f%% busy, %.1f%% softirq", busy, softirq))
        }
        for real in s.reals.sorted(by: { $0.key < $1.key }) { print("  \(real.key): \(real.counters.conns) conns") }
        if let wire {
            for l in wire.links {
                print("wire \(l.link.interface) (\(l.link.side.rawValue)): to director \(l.toDirector.packets) pkts, "
                    + "from director \(l.fromDirector.packets) pkts, replies \(l.toDirector.replies + l.fromDirector.replies), "
                    + "ipip \(l.toDirector.ipip + l.fromDirector.ipip), kernel drops \(l.kernelDrops)")
            }
            let t = wire.transit
            if let p50 = t.p50, let p99 = t.p99, let max = t.max {
                print("director transit: \(t.matched) packets matched, p50 \(p50) us, p99 \(p99) us, max \(max) us")
            }
        }
        for e in s.errors.prefix(5) { print("warning: \(e)") }
    }
}
