import Foundation

/// The director figures of the original LVS work, as cited constants, so a report can run
/// the paper's arithmetic next to ours.
///
/// Reference: Wensong Zhang, "Linux Virtual Server for Scalable Network Services", Ottawa Linux
/// Symposium 2000. The VS/NAT estimate is stated by the same author on the project's page
/// "How virtual server works?" (http://www.linuxvirtualserver.org/how.html), which is where the
/// figures below were checked (the paper's full text was not at hand): average TCP packet 536
/// bytes, about 60 µs to rewrite one packet on a Pentium, hence at most 8.93 MB/s through a NAT
/// director; at 400 kB/s per real server that is 22 reals. For VS/TUN and VS/DR no per-packet
/// figure is given, only that a director, seeing requests but not replies, can schedule over
/// 100 real servers without being the bottleneck.
public enum LVSPaper2000 {
    public static let citation = "Wensong Zhang, \"Linux Virtual Server for Scalable Network Services\", "
        + "Ottawa Linux Symposium 2000; figures as stated by the same author at http://www.linuxvirtualserver.org/how.html"
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
