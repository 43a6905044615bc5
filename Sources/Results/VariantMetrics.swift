import Foundation

/// The figures a reader compares across a scenario's variants, derived from the timelines
/// around the fault (the variant's first event) up to the horizon: the next event (a real
/// coming back) or the end of the load.
public struct VariantMetrics: Codable, Equatable, Sendable {
    /// When the fault was injected, seconds from the load's start; nil for a variant without events.
    public var faultT: Double?
    /// Median responses per second before the fault: what "recovered" is measured against.
    public var baselineRPS: Double
    /// Requests that failed (not timeouts) and timed out from the fault to the horizon.
    public var failedAfterFault: UInt64
    public var timedOutAfterFault: UInt64
    /// Seconds from the fault to the start of the first interval from which on, to the
    /// horizon, no request was lost and throughput was back to `recoveredShare` of the
    /// baseline; nil when that never happened ("not recovered within the run").
    public var recoverySeconds: Double?
    /// Seconds, within fault to horizon, of intervals that lost at least one request.
    public var disruptedSeconds: Double
    /// Median of the interval p99s before the fault.
    public var p99BeforeUS: Double?
    /// The worst interval p99 from the fault to recovery (to the horizon when not recovered).
    public var p99DuringUS: Double?
    /// Median of the interval p99s from recovery to the horizon.
    public var p99AfterUS: Double?
    /// The real the fault hit (its address), when it hit one.
    public var faultyReal: String?
    /// Its name (`real2`): what the client's per-real counts are keyed by.
    public var faultyRealName: String?
    /// Director view: connections IPVS scheduled to the faulty real after the fault (from
    /// the fault's last step to the horizon).
    public var scheduledToFaultyReal: UInt64?
    /// Where that count comes from: "wire" (SYNs the director forwarded, each timed) or
    /// "ipvs-stats" (IPVS's Conns counter, which the kernel updates only every 2 s, so it may
    /// include connections placed up to 2 s before the change).
    public var scheduledSource: String?
    /// Of `scheduledToFaultyReal` (wire count only), the SYNs whose client address and port
    /// had already been sent to that real: retransmissions, or reused client ports that
    /// followed their old connection entries. The scheduler did not choose the real for
    /// them: after weight 0 these are the only SYNs it can still get.
    public var repeatedSynsToFaultyReal: UInt64?
    /// Client view: responses that came from the faulty real after the fault.
    public var answeredByFaultyReal: UInt64?
    /// Connection slots of the load generator that saw a transport failure during the run.
    public var brokenConnections: UInt64?
    /// The load generator's connection slots (`-c`).
    public var connections: Int

    /// The share of the baseline throughput that counts as recovered.
    public static let recoveredShare = 0.8

    public init(faultT: Double?, baselineRPS: Double, failedAfterFault: UInt64, timedOutAfterFault: UInt64,
                recoverySeconds: Double?, disruptedSeconds: Double, p99BeforeUS: Double?, p99DuringUS: Double?,
                p99AfterUS: Double?, faultyReal: String?, faultyRealName: String? = nil, scheduledToFaultyReal: UInt64?, scheduledSource: String? = nil, repeatedSynsToFaultyReal: UInt64? = nil,
                answeredByFaultyReal: UInt64?, brokenConnections: UInt64?, connections: Int) {
        self.faultT = faultT
        self.baselineRPS = baselineRPS
        self.failedAfterFault = failedAfterFault
        self.timedOutAfterFault = timedOutAfterFault
        self.recoverySeconds = recoverySeconds
        self.disruptedSeconds = disruptedSeconds
        self.p99BeforeUS = p99BeforeUS
        self.p99DuringUS = p99DuringUS
        self.p99AfterUS = p99AfterUS
        self.faultyReal = faultyReal
        self.faultyRealName = faultyRealName
        self.scheduledToFaultyReal = scheduledToFaultyReal
        self.scheduledSource = scheduledSource
        self.repeatedSynsToFaultyReal = repeatedSynsToFaultyReal
        self.answeredByFaultyReal = answeredByFaultyReal
        self.brokenConnections = brokenConnections
        self.connections = connections
    }

    enum CodingKeys: String, CodingKey {
        case faultT = "fault_t", baselineRPS = "baseline_rps", failedAfterFault = "failed_after_fault"
        case timedOutAfterFault = "timed_out_after_fault", recoverySeconds = "recovery_s", disruptedSeconds = "disrupted_s"
        case p99BeforeUS = "p99_before_us", p99DuringUS = "p99_during_us", p99AfterUS = "p99_after_us"
        case faultyReal = "faulty_real", faultyRealName = "faulty_real_name", scheduledToFaultyReal = "scheduled_to_faulty_real", scheduledSource = "scheduled_source"
        case repeatedSynsToFaultyReal = "repeated_syns_to_faulty_real"
        case answeredByFaultyReal = "answered_by_faulty_real", brokenConnections = "broken_connections", connections
    }

    /// Requests lost in any way after the fault.
    public var lostAfterFault: UInt64 { failedAfterFault + timedOutAfterFault }

    /// Derives the figures. `faultyReal` is (address, name): the director counts by address,
    /// the client by the name the real answers with; `faultySyns` are the times of the SYNs
    /// the director forwarded to it, when they were counted on the wire, and
    /// `faultyRepeatedSyns` those of them that repeated a client address and port. Intervals that start
    /// at or after `duration` (responses still arriving after the load stopped sending) and
    /// the load's last interval, usually cut short, never decide recovery by throughput.
    public static func derive(client allIntervals: [ClientInterval], director: [DirectorSample], events: [ScenarioEvent],
                              interval: Double, duration: Double? = nil, faultyReal: (address: String, name: String)?,
                              faultySyns: [Double]? = nil, faultyRepeatedSyns: [Double]? = nil,
                              brokenConnections: UInt64?, connections: Int) -> VariantMetrics {
        let client = duration.map { d in allIntervals.filter { $0.t < d - 1e-9 } } ?? allIntervals
        let fault = events.first?.t
        let horizon = events.dropFirst().first?.t ?? (client.last.map { $0.t + interval } ?? 0)
        let before = client.filter { fault == nil || $0.t + interval <= fault! }
        let baseline = median(before.map { Double($0.ok) / interval }) ?? 0
        guard let fault else {
            return VariantMetrics(faultT: nil, baselineRPS: baseline, failedAfterFault: 0, timedOutAfterFault: 0,
                                  recoverySeconds: nil, disruptedSeconds: 0, p99BeforeUS: median(before.compactMap(\.p99US)),
                                  p99DuringUS: nil, p99AfterUS: nil, faultyReal: nil, scheduledToFaultyReal: nil,
                                  answeredByFaultyReal: nil, brokenConnections: brokenConnections, connections: connections)
        }
        // Intervals that overlap [fault, horizon).
        let after = client.filter { $0.t + interval > fault && $0.t < horizon }
        let last = client.last?.t
        func clean(_ c: ClientInterval) -> Bool {
            c.lost == 0 && (c.t == last || Double(c.ok) / interval >= recoveredShare * baseline)
        }
        var recoveredAt: Double?
        if let firstClean = after.indices.last(where: { !clean(after[$0]) }).map({ $0 + 1 }) ?? (after.isEmpty ? nil : 0),
           firstClean < after.count {
            recoveredAt = max(after[firstClean].t, fault)
        }
        let during = after.filter { recoveredAt == nil || $0.t < recoveredAt! }
        let settled = recoveredAt.map { r in after.filter { $0.t >= r } } ?? []
        var scheduled: UInt64?
        var source: String?
        var repeated: UInt64?
        if let syns = faultySyns {
            let changed = events.first!.doneT
            let counted = { (times: [Double]) in UInt64(times.filter { $0 >= changed && $0 < horizon }.count) }
            scheduled = counted(syns)
            repeated = faultyRepeatedSyns.map(counted)
            source = "wire"
        } else if let real = faultyReal?.address {
            source = "ipvs-stats"
            // From the first count after the fault's last step to the horizon. A real removed
            // from the service has no count: nothing more can be scheduled to it.
            let changed = events.first!.doneT
            let counts = director.filter { $0.t >= changed && $0.t < horizon }.compactMap { $0.reals[real]?.scheduled }
            if let first = counts.first, let final = counts.last {
                scheduled = final >= first ? final - first : 0
            } else if director.contains(where: { $0.reals[real]?.scheduled != nil }) {
                scheduled = 0
            }
        }
        let answered = faultyReal.map { real in after.filter { $0.t >= fault }.reduce(UInt64(0)) { $0 + ($1.perReal[real.name] ?? 0) } }
        return VariantMetrics(
            faultT: fault, baselineRPS: baseline,
            failedAfterFault: after.reduce(0) { $0 + $1.failed }, timedOutAfterFault: after.reduce(0) { $0 + $1.timedOut },
            recoverySeconds: recoveredAt.map { $0 - fault },
            disruptedSeconds: Double(after.filter { $0.lost > 0 }.count) * interval,
            p99BeforeUS: median(before.compactMap(\.p99US)), p99DuringUS: during.compactMap(\.p99US).max(),
            p99AfterUS: median(settled.compactMap(\.p99US)), faultyReal: faultyReal?.address, faultyRealName: faultyReal?.name,
            scheduledToFaultyReal: scheduled, scheduledSource: source, repeatedSynsToFaultyReal: repeated,
            answeredByFaultyReal: answered,
            brokenConnections: brokenConnections, connections: connections)
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted(), m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }
}
