import Lab

/// The director setting that lets every measured connection be scheduled, set in every
/// IPVS lab a run or a sweep builds, before its first measurement.
///
/// Why: the lab's one client reuses its source ports within seconds (about 28,000 of them,
/// at thousands of connections per second), long before IPVS forgets the previous
/// connection on that port. A DR or TUN director sees only the client's side, so its
/// entries end in FIN_WAIT (120 s), and under the default `conn_reuse_mode=1` a SYN that
/// finds such an entry rides it to the same real instead of being scheduled. A lab reused
/// across sweep points or run cells then carries the earlier choices into the next
/// measurement: measured with 2 capped reals and then 8 in DR, real1 and real2 served 780
/// connections/s each (their cap) and the six new reals 176/s each, 2,620 connections/s in
/// all instead of 5,660; a run's next scheduler or weights would likewise inherit the last
/// cell's placement of every reused port. Bit 2 (mode 3) reschedules a SYN on a FIN_WAIT
/// entry of a DR/TUN real, as bit 1 already does for NAT's TIME_WAIT entries, so every
/// mode schedules every new connection (the kernel's documentation: "helps on adding new
/// real servers to a very busy cluster"). A profile that sets the key wins for its cells.
/// The setting lives in the director's kernel (the guest, or the director's namespace)
/// and ends with the lab. `lvsbench scenario port-reuse` measures what mode 1 does.
public enum ReusedPorts {
    public static let sysctl = (key: "net.ipv4.vs.conn_reuse_mode", value: "3")

    static func reschedule(on director: any LabNode) throws {
        try director.check(SysctlUndoLog.sysctlCommand(key: sysctl.key, value: sysctl.value))
    }
}
