import Foundation

/// Where in a run a signal lands: the `occurrence`-th marker of `phase` whose detail starts
/// with `detail`, then a random delay shorter than the phase usually lasts.
struct InterruptPoint: CustomStringConvertible {
    var phase: String
    var detail: String = ""
    var occurrence: Int = 1
    /// Delays are drawn from 0...maxDelay seconds.
    var maxDelay: Double

    var description: String {
        "\(phase)\(detail.isEmpty ? "" : " '\(detail)'")\(occurrence > 1 ? " #\(occurrence)" : "")"
    }

    func delay<G: RandomNumberGenerator>(using rng: inout G) -> Double {
        Double.random(in: 0...maxDelay, using: &rng)
    }

    func matches(_ marker: (phase: String, detail: String)) -> Bool {
        marker.phase == phase && marker.detail.hasPrefix(detail)
    }

    /// `count` points spread over every phase, in an order whose every prefix is spread too:
    /// of 33, 11 in the lab build's steps, 5 in tuning, 5 in warm-up, 4 in the window through
    /// the director, 3 in the direct window, 5 in teardown (both cells where a phase repeats).
    static func spread(count: Int) -> [InterruptPoint] {
        let kinds: [InterruptPoint] = [
            InterruptPoint(phase: "build", detail: "booting", maxDelay: 3),
            InterruptPoint(phase: "tuning", maxDelay: 0.8),
            InterruptPoint(phase: "warm-up", maxDelay: 1.5),
            InterruptPoint(phase: "window", maxDelay: 1.2),
            InterruptPoint(phase: "teardown", maxDelay: 0.3),
            InterruptPoint(phase: "build", detail: "creating", maxDelay: 0.3),
            InterruptPoint(phase: "direct", maxDelay: 1.5),
            InterruptPoint(phase: "build", detail: "waiting for the VIP", maxDelay: 0.3),
            InterruptPoint(phase: "tuning", maxDelay: 0.3),
            InterruptPoint(phase: "warm-up", occurrence: 2, maxDelay: 1.5),
            InterruptPoint(phase: "build", detail: "configuring IPVS", maxDelay: 0.5),
            InterruptPoint(phase: "teardown", maxDelay: 0.1),
            InterruptPoint(phase: "window", occurrence: 2, maxDelay: 1.2),
            InterruptPoint(phase: "build", detail: "nat lab", maxDelay: 0.1),
            InterruptPoint(phase: "tuning", maxDelay: 1.2),
            InterruptPoint(phase: "build", detail: "booting", maxDelay: 1),
            InterruptPoint(phase: "direct", occurrence: 2, maxDelay: 1.5),
            InterruptPoint(phase: "warm-up", maxDelay: 0.3),
            InterruptPoint(phase: "build", detail: "starting nginx", maxDelay: 0.1),
            InterruptPoint(phase: "teardown", maxDelay: 0.35),
            InterruptPoint(phase: "window", maxDelay: 0.5),
            InterruptPoint(phase: "build", detail: "configuring addresses", maxDelay: 0.1),
            InterruptPoint(phase: "tuning", maxDelay: 0.1),
            InterruptPoint(phase: "warm-up", occurrence: 2, maxDelay: 0.5),
            InterruptPoint(phase: "build", detail: "waiting for the VIP", maxDelay: 0.1),
            InterruptPoint(phase: "teardown", maxDelay: 0.2),
            InterruptPoint(phase: "direct", maxDelay: 0.5),
            InterruptPoint(phase: "build", detail: "booting", maxDelay: 2),
            InterruptPoint(phase: "window", occurrence: 2, maxDelay: 0.5),
            InterruptPoint(phase: "tuning", maxDelay: 0.5),
            InterruptPoint(phase: "build", detail: "creating", maxDelay: 0.1),
            InterruptPoint(phase: "warm-up", maxDelay: 1),
            InterruptPoint(phase: "teardown", maxDelay: 0.05),
        ]
        return (0..<count).map { kinds[$0 % kinds.count] }
    }
}
