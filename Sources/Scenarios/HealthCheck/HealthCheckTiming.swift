import Keepalived

/// How often and how patiently keepalived checks a real, in whole seconds (keepalived's
/// timers), and the worst times that follow from it: what the health-check scenario's
/// timeline leaves room for and what its findings hold the measurements against.
struct HealthCheckTiming: Equatable, Sendable {
    /// Seconds between checks of one real (`delay_loop`).
    var delayLoop: Int
    /// Seconds one attempt may take, connection and answer (`connect_timeout`).
    var connectTimeout: Int
    /// Further attempts after a failed one before the real is taken out (`retry`).
    var retry: Int
    /// Seconds between a failed attempt and the next (`delay_before_retry`).
    var delayBeforeRetry: Int

    /// Checks as tight as keepalived's one-second timers allow.
    static let fast = HealthCheckTiming(delayLoop: 1, connectTimeout: 1, retry: 1, delayBeforeRetry: 1)
    /// keepalived 2.2.7's own HTTP_GET defaults (connect_timeout 5, retry 1,
    /// delay_before_retry 3; keepalived.conf(5)) with the delay_loop of its sample
    /// configurations, 6 s: its default of 60 s would only push every detection up to a
    /// minute later.
    static let slow = HealthCheckTiming(delayLoop: 6, connectTimeout: 5, retry: 1, delayBeforeRetry: 3)

    /// "delay_loop 1, connect_timeout 1, retry 1, delay_before_retry 1".
    var label: String {
        "delay_loop \(delayLoop), connect_timeout \(connectTimeout), retry \(retry), delay_before_retry \(delayBeforeRetry)"
    }

    var keepalived: KeepalivedVirtualServer.Timing {
        .init(connectTimeout: connectTimeout, retry: retry, delayBeforeRetry: delayBeforeRetry)
    }

    /// The longest a dead real can stay in the service: its next check starts within a
    /// delay_loop, and it is taken out after `retry + 1` failed attempts with a
    /// delay_before_retry between them. A killed real refuses at once (the attempts cost
    /// nothing); a cut link lets each attempt run to connect_timeout.
    func worstRemoval(cut: Bool) -> Double {
        Double(delayLoop + (cut ? (retry + 1) * connectTimeout : 0) + retry * delayBeforeRetry)
    }

    /// What a cut link adds to a kill's detection: every attempt waits out connect_timeout.
    var cutPenalty: Double { Double((retry + 1) * connectTimeout) }

    /// The longest a real that answers again stays out: a real that is down is checked once
    /// every delay_loop, and keepalived 2.2.7 put it back within about two of them in this lab
    /// (1.5 to 2.2 s with delay_loop 1), plus a second for the check itself.
    var worstReturn: Double { Double(2 * delayLoop + 1) }
}
