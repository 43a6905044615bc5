import Balancing
import Collector
import Foundation

/// The director's and reals' counters over one measured window.
public struct WindowCounters: Codable, Equatable, Sendable {
    /// What the director's balancer counted over the window (settled readings either side).
    public var traffic: BalancerCounters
    /// Percent of one director CPU in softirq over the window.
    public var softirqPercent: Double
    /// Percent of one director CPU not idle over the window (softirq, system, user).
    public var busyPercent: Double
    /// New connections the balancer sent to each real during the window, in real order.
    public var realConnections: [Int]
    /// The collector's samples for the window, kept for the result's time-series file.
    public var samples: [Sample]
    /// CPU and data-link packets over the window, counted as for the plain-forward reference.
    public var director: DirectorReading?
    /// Packets the balancer (IPVS or another) counted while the plain-forward stretch before
    /// the window ran (read after the counters settled): 0 when the reference bypassed it.
    public var ipvsPacketsDuringReference: Int?

    public init(traffic: BalancerCounters, softirqPercent: Double, busyPercent: Double, realConnections: [Int],
                samples: [Sample] = [], director: DirectorReading? = nil, ipvsPacketsDuringReference: Int? = nil) {
        self.traffic = traffic
        self.softirqPercent = softirqPercent
        self.busyPercent = busyPercent
        self.realConnections = realConnections
        self.samples = samples
        self.director = director
        self.ipvsPacketsDuringReference = ipvsPacketsDuringReference
    }
}
