import Vocabulary

extension Scheduler {
    /// The kernel module that implements it (`modprobe` name).
    public var module: String { "ip_vs_\(rawValue)" }
}
