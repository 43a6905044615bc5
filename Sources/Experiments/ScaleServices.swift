import Balancing
import Foundation
import Vocabulary

/// The virtual services one point of `lvsbench scale` installs: N - 1 fillers that no
/// traffic uses, then the measured service, last, so that a balancer matching services in
/// rule order (iptables) walks past every filler before it finds the one the load goes to.
public enum ScaleServices {
    /// Fillers listen on the measured service's address from this port up, one port each:
    /// far above the lab's own ports (80, 9000) and below 20000 for the largest count.
    public static let firstFillerPort = 10_000

    /// The N services in install order: `count - 1` fillers, then `measured`.
    public static func ordered(count: Int, measured: ServiceSpec) -> [ServiceSpec] {
        fillers(count - 1, like: measured) + [measured]
    }

    /// `count` services like `measured` (its scheduler and reals) on its address, ports
    /// `firstFillerPort` and up.
    public static func fillers(_ count: Int, like measured: ServiceSpec) -> [ServiceSpec] {
        (0..<Swift.max(count, 0)).map { i in
            ServiceSpec(service: VirtualService(address: measured.service.address, port: firstFillerPort + i),
                        scheduler: measured.scheduler, persistence: nil, reals: measured.reals)
        }
    }
}
