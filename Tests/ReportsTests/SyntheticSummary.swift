import Foundation
import Results
import Vocabulary

/// Builds summaries with synthetic but realistic figures (shaped after the UML director
/// measurements in LAB-NOTES) for rendering and comparison tests. Never written to results/.
enum SyntheticSummary {
    static let weights = [5, 5, 1, 1]

    static func cell(mode: LabMode, scheduler: Scheduler, rps: Double, direct: Double = 67_800,
                     rpsRepeats: [Double]? = nil) -> Cell {
        let weighted = scheduler.rawValue.hasPrefix("w")
        let total = weights.reduce(0, +)
        let conns = 40_000
        let perReal = weights.enumerated().map { i, w -> RealShare in
            let expected = weighted ? Double(w) / Double(total) : 0.25
            let jitter = [0.004, -0.006, 0.003, -0.001][i]
            return RealShare(name: "real\(i + 1)", weight: w, expectedShare: expected,
                             observedShare: expected + jitter, ipvsConns: Int(Double(conns) * (expected + jitter)))
        }
        let reps = rpsRepeats ?? [rps * 0.98, rps, rps * 1.02]
        let directs = reps.map { _ in direct }
        let inPkts = Int(rps * 2 * 6)
        let natLike = mode == .nat
        return Cell(mode: mode, scheduler: scheduler, profile: "default", reals: 4, load: .http,
                    rps: Spread(reps).median, cps: rps / 100, bytesPerSecond: rps * 650, durationSeconds: 2,
                    latencyUS: Latency(p50: 1_150, p90: 1_900, p99: natLike ? 4_800 : 3_100, p999: 9_000, max: 21_000),
                    errors: ErrorCounts(byKind: ["timeout": 0]), directRPS: direct,
                    perReal: perReal,
                    director: DirectorCounters(inPkts: inPkts, outPkts: natLike ? inPkts : 0, inBytes: inPkts * 90,
                                               outBytes: natLike ? inPkts * 620 : 0, cpuSoftirqPct: natLike ? 71 : 38,
                                               cpuBusyPct: natLike ? 93 : 52,
                                               windowSeconds: 6),
                    repeats: Repeats(rps: reps, directRPS: directs),
                    plainForward: ForwardCost(plainRPS: rps * 1.2, ipvsToPlainRatio: 1 / 1.2,
                                              usPerPacketIPVS: natLike ? 28 : 40, usPerPacketPlain: natLike ? 24 : 33,
                                              usPerConnIPVS: nil, usPerConnPlain: nil, plainCPUPct: 97,
                                              ipvsPacketsDuringPlain: 0))
    }

    static func run(scale: Double = 1, name: String = "synthetic") -> Summary {
        let base: [LabMode: Double] = [.nat: 15_800, .dr: 22_200, .tun: 23_800]
        var cells: [Cell] = []
        for mode in [LabMode.nat, .dr, .tun] {
            for (i, scheduler) in [Scheduler.rr, .wrr, .lc, .wlc].enumerated() {
                cells.append(cell(mode: mode, scheduler: scheduler, rps: base[mode]! * scale * (1 - 0.01 * Double(i))))
            }
        }
        return Summary(name: name, startedAt: Date(timeIntervalSince1970: 1_795_000_000),
                       finishedAt: Date(timeIntervalSince1970: 1_795_000_300), complete: true,
                       host: HostInfo(hostname: "bench1", kernel: "6.18.0", cpus: 2), directorHost: "uml",
                       commandLine: ["lvsbench", "run"],
                       lab: LabSetup(modes: [.nat, .dr, .tun], reals: [4], weights: weights, directorHost: "uml",
                                     profiles: ["default"], loads: [.http]),
                       toolVersions: ToolVersions(lvsbench: "0.1.0", ipvsadm: "1.31", nginx: "1.22.1",
                                                  directorKernel: "6.1.176", other: ["wrk": "4.1.0"]),
                       cells: cells)
    }

    /// A NAT director saturating at 12 reals of 400 kB/s; DR keeps growing to 24.
    static func sweep() -> Summary {
        var s = run(name: "sweep")
        s.cells = []
        s.lab.reals = [1, 2, 4, 8, 12, 16, 20, 24]
        s.lab.realRateBytesPerSecond = 400_000
        func points(cap: Double, cpuPerReal: Double, outShare: Double) -> [SweepPoint] {
            s.lab.reals.map { n in
                let bytes = min(Double(n) * 400_000, cap)
                let rps = bytes / 16_000
                let pps = rps * (8 + 8 * outShare)
                return SweepPoint(reals: n, rps: rps, bytesPerSecond: bytes, cps: rps / 10, p99US: 2_000 + 40 * Double(n),
                                  directorPPS: pps, directorBytesPerSecond: pps * (90 + 1_100 * outShare),
                                  directorCPUPct: min(100, cpuPerReal * Double(n)),
                                  plainForward: ForwardCost(plainRPS: 300, ipvsToPlainRatio: rps / 300,
                                                            usPerPacketIPVS: 30, usPerPacketPlain: 26,
                                                            usPerConnIPVS: 400, usPerConnPlain: 330, plainCPUPct: 98,
                                                            ipvsPacketsDuringPlain: nil))
            }
        }
        s.sweep = ["nat": ModeSweep(points: points(cap: 4_800_000, cpuPerReal: 8.5, outShare: 1), perRealBytesPerSecond: 400_000),
                   "dr": ModeSweep(points: points(cap: 40_000_000, cpuPerReal: 3, outShare: 0), perRealBytesPerSecond: 400_000)]
        return s
    }

    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lvsbench-reports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
