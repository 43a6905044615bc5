import ArgumentParser
import Foundation
import LoadGen
import SystemKit

/// `lvsbench load`: the io_uring load generator as a command; the experiment runner runs it
/// inside the client namespace with `--json`.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Generate HTTP/1.1 or TCP request/response load with io_uring and report latency and throughput.",
        discussion: """
        Closed loop by default (each connection sends its next request when the last one returns); --rate R gives an open loop at R requests/s in total, with latency measured from each request's intended send time (coordinated omission corrected). Latency ends at the kernel's receive timestamp of the response. The JSON report's timeline counts responses, failures by kind, connections opened, p50/p99/max latency and responses per real per --interval (default 1s), each event in the interval in which it was seen; started_at_unix places interval 0 on the wall clock. TCP targets speak the lab responder's protocol (8-byte header: request length, response length).

        Examples:
          lvsbench load http://127.0.0.1:8080/ -c 50 -d 10s
          lvsbench load http://198.18.1.1/ -c 20 -d 30s --close --json
          lvsbench load tcp://198.18.1.1:9000 --request-size 100 --response-size 1K --rate 5000
          lvsbench load http://198.18.1.1/ -c 20 -d 60s --interval 100ms --timeout 500ms --json

        """
    )

    @Argument(help: "http://HOST[:PORT][/PATH] or tcp://HOST:PORT (an IPv4 address).")
    var target: String

    @Option(name: [.customShort("c"), .long], help: "Connections, spread over the threads (1 to 10000).")
    var connections: Int = 10

    @Option(name: [.customShort("d"), .long], help: "How long to send requests, e.g. 10s, 500ms, 2m (at most 24h).")
    var duration: String = "10s"

    @Option(help: "Threads, each with its own io_uring (default: min(2, cores)).")
    var threads: Int?

    @Option(help: "Open loop: total requests per second over all connections (0.001 to 100000000).")
    var rate: Double?

    @Flag(help: "A new connection per request (HTTP Connection: close; TCP connect-request-response-close).")
    var close = false

    @Option(help: "TCP: request size in bytes, 8 to 64M (e.g. 64, 1K).")
    var requestSize: String = "64"

    @Option(help: "TCP: response size in bytes, 8 to 64M.")
    var responseSize: String = "64"

    @Option(help: "Time a request may take before it counts as a timeout, e.g. 2s (1ms to 24h).")
    var timeout: String = "2s"

    @Option(help: "Length of a timeline interval in the JSON report, e.g. 100ms (10ms to 60s; at most 100000 in the duration).")
    var interval: String = "1s"

    @Flag(help: "Print one JSON document (LoadReport) instead of the summary.")
    var json = false

    func run() throws {
        try reportingErrors {
            let options = try LoadOptions(
                target: LoadTarget.parse(target), connections: connections,
                duration: Quantities.duration(duration, what: "--duration"), threads: threads, rate: rate,
                close: close, requestSize: Quantities.bytes(requestSize, what: "--request-size"),
                responseSize: Quantities.bytes(responseSize, what: "--response-size"),
                timeout: Quantities.duration(timeout, what: "--timeout", range: LoadOptions.minTimeout...Quantities.maxDuration),
                interval: Quantities.duration(interval, what: "--interval", range: LoadOptions.intervalRange))
            if isatty(2) != 0 {
                FileHandle.standardError.write(Data("load: \(options.mode) against \(options.target) for \(duration)...\n".utf8))
            }
            let report = try LoadGenerator.run(options)
            if json {
                FileHandle.standardOutput.write(try JSONCoding.encode(report))
            } else {
                print(report.summary)
            }
        }
    }
}
