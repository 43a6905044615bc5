import SystemKit
import Vocabulary

/// Builds ipvsadm argv (never a shell line) for the changes the lab and the tuner make.
public enum IPVSCommand {
    public static func addService(_ s: VirtualService, scheduler: Scheduler, persistence: Int? = nil) -> [String] {
        serviceArgs("-A", s, scheduler: scheduler, persistence: persistence)
    }

    public static func editService(_ s: VirtualService, scheduler: Scheduler, persistence: Int? = nil) -> [String] {
        serviceArgs("-E", s, scheduler: scheduler, persistence: persistence)
    }

    public static func deleteService(_ s: VirtualService) -> [String] {
        ["ipvsadm", "-D", "-t", s.endpoint]
    }

    public static func addReal(_ s: VirtualService, real: String, port: Int, forwarding: ForwardingMethod, weight: Int) -> [String] {
        realArgs("-a", s, real: real, port: port, forwarding: forwarding, weight: weight)
    }

    public static func editReal(_ s: VirtualService, real: String, port: Int, forwarding: ForwardingMethod, weight: Int) -> [String] {
        realArgs("-e", s, real: real, port: port, forwarding: forwarding, weight: weight)
    }

    public static func deleteReal(_ s: VirtualService, real: String, port: Int) -> [String] {
        ["ipvsadm", "-d", "-t", s.endpoint, "-r", "\(real):\(port)"]
    }

    /// `ipvsadm --set tcp tcpfin udp`: connection timeouts in seconds (0 leaves one unchanged).
    public static func setTimeouts(_ t: ConnectionTimeouts) -> [String] {
        ["ipvsadm", "--set", String(t.tcp), String(t.tcpFin), String(t.udp)]
    }

    public static let clear = ["ipvsadm", "-C"]
    public static let zeroCounters = ["ipvsadm", "-Z"]
    public static let list = ["ipvsadm", "-Ln"]
    public static let listStats = ["ipvsadm", "-Ln", "--stats", "--exact"]
    public static let listTimeouts = ["ipvsadm", "-L", "--timeout"]

    static func serviceArgs(_ op: String, _ s: VirtualService, scheduler: Scheduler, persistence: Int?) -> [String] {
        var argv = ["ipvsadm", op, "-t", s.endpoint, "-s", scheduler.rawValue]
        if let persistence { argv += ["-p", String(persistence)] }
        return argv
    }

    static func realArgs(_ op: String, _ s: VirtualService, real: String, port: Int,
                         forwarding: ForwardingMethod, weight: Int) -> [String] {
        ["ipvsadm", op, "-t", s.endpoint, "-r", "\(real):\(port)", forwarding.ipvsadmFlag, "-w", String(weight)]
    }
}
