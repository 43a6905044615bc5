import Foundation

/// The director figures of the original LVS paper, as cited constants, so a report can run the
/// paper's arithmetic next to ours.
///
/// Source: Wensong Zhang, "Linux Virtual Server for Scalable Network Services", Ottawa Linux
/// Symposium 2000; the same VS/NAT figures are on the project's page "How virtual server
/// works?" (http://www.linuxvirtualserver.org/how.html). VS/NAT: "Supposing the average length
/// of TCP packets is 536 Bytes, the average delay of rewriting a packet is around 60us (on
/// Pentium processor ...), the maximum throughput of the load balancer is 8.93 MBytes/s.
/// Assuming the average throughput of real servers is 400Kbytes/s, the load balancer can
/// schedule 22 real servers." For VS/TUN and VS/DR the paper gives no per-packet figure, only
/// that the load balancer "can schedule over 100 general real servers" because replies bypass it.
public enum LVSPaper2000 {
    public static let citation = "Wensong Zhang, \"Linux Virtual Server for Scalable Network Services\", "
        + "Ottawa Linux Symposium 2000 (VS/NAT figures also at http://www.linuxvirtualserver.org/how.html)"
    /// Average TCP packet length the paper assumed, bytes.
    public static let averagePacketBytes = 536.0
    /// Time to rewrite one packet on a Pentium director, microseconds.
    public static let microsecondsPerPacket = 60.0
    /// The paper's per-real throughput, bytes per second ("400Kbytes/s", decimal kilobytes:
    /// it is the figure that makes 8.93 MB/s serve 22 reals).
    public static let perRealBytesPerSecond = 400_000.0
    /// Reals the paper says a VS/NAT director can schedule.
    public static let natRealsStated = 22
    /// Lower bound the paper gives for VS/TUN and VS/DR ("over 100").
    public static let tunDrRealsStated = 100

    /// 536 B / 60 µs = 8.93 MB/s: the paper's NAT director throughput.
    public static var natBytesPerSecond: Double { averagePacketBytes / (microsecondsPerPacket / 1_000_000) }
    /// 1 / 60 µs ≈ 16,700 packets per second.
    public static var natPacketsPerSecond: Double { 1_000_000 / microsecondsPerPacket }

    /// The paper's arithmetic at another per-real rate: reals a NAT director serves.
    public static func natReals(perRealBytesPerSecond rate: Double) -> Double {
        rate > 0 ? natBytesPerSecond / rate : 0
    }
}
