import ArgumentParser
import Experiments
import Foundation
import SystemKit
import Vocabulary

/// `lvsbench scale`: how a balancer behaves holding 1 to 10,000 virtual services.
struct ScaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Install 1 to 10,000 virtual services per balancer and measure programming time and connection setup.",
        discussion: """
        One NAT lab with rr per balancer. For each count N of services the balancer is given N - 1 filler services (on the VIP's ports 10000 and up, which no traffic uses) and the measured one, the lab's own VIP service, installed last; then the programming time of all N, the time of one live weight change at N, and a window of new-connection load to the measured service (setup latency p50/p99, conn/s, director CPU) are measured, and the fillers removed (timed too) before the next N.

        The claim under test, kube-proxy's: iptables grows with N, nftables and IPVS stay flat. The report judges it per balancer from the smallest and the largest N.

        Example:
          lvsbench scale --balancer ipvs --services 1,10,100,1000,10000 --load tcp-crr --duration 3s
          lvsbench scale --services 1,100,1000 --duration 1s --warmup 0 --json

        Results (summary.json with a "scale" section, scale.csv, report.md, report.html with curves) go to <out>/<UTC time>-<name>/ like `lvsbench run`.
        """
    )

    @Option(name: .long, help: "Balancers, comma separated: ipvs, nftables, iptables, haproxy (default ipvs).",
            transform: OptionValue.list("--balancer", BalancerKind.init(parsing:)))
    var balancer: [BalancerKind]?
    @Option(name: .long, help: "Counts of virtual services, comma separated, each 1 to \(ScaleSettings.maxServices) (default 1,10,100,1000,10000).",
            transform: OptionValue.list("--services", ScaleSettings.serviceCount))
    var services: [Int]?
    @Option(name: .long, help: "tcp-crr (default) or http-close: a new connection per request.",
            transform: OptionValue.parsed(ScaleSettings.load))
    var load: LoadKind?
    @Option(name: .long, help: "Number of real servers (default 2).")
    var reals: Int?
    @Option(name: .customShort("c"), help: "Connections of the load generator, 1 to 10000 (default \(ScaleSettings.defaultConnections)).")
    var connections: Int?
    @OptionGroup var measurement: MeasurementOptions

    /// Every value checked against the others before `run()`, a balancer that cannot run a
    /// NAT lab with rr included; only the host check (`--out`) is left to `run()`.
    func validate() throws {
        try OptionValue.checked { _ = try settings() }
    }

    func run() throws {
        try reportingErrors {
            try measurement.print(try ScaleSession.run(settings(), commandLine: CommandLine.arguments))
        }
    }

    private func settings() throws -> ScaleSettings {
        try ScaleSettings(balancers: balancer, services: services, load: load, duration: measurement.duration,
                          warmup: measurement.warmup, reals: reals, connections: connections, outDir: measurement.out,
                          name: measurement.name)
    }
}
