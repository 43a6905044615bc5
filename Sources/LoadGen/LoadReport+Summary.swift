import Foundation

extension LoadReport {
    /// A short wrk-like summary for people; `--json` gives the full document.
    public var summary: String {
        func f(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }
        func us(_ v: UInt64) -> String { v >= 10_000 ? f(Double(v) / 1000) + "ms" : "\(v)us" }
        var lines = [
            "Load \(f(duration_s))s @ \(target) (\(mode)\(rate.map { ", rate \(f($0, 0))/s" } ?? ""))",
            "  \(threads) threads and \(connections) connections, \(connections_opened) connections opened",
            "  Latency  p50 \(us(latency_us.p50))  p90 \(us(latency_us.p90))  p99 \(us(latency_us.p99))"
                + "  p99.9 \(us(latency_us.p999))  max \(us(latency_us.max))  mean \(f(latency_us.mean, 1))us",
            "  \(requests) requests in \(f(duration_s))s, \(f(Double(bytes_received) / 1_048_576))MB read",
            "Requests/sec: \(f(rps))",
            "CPU: user \(f(cpu_user_s))s sys \(f(cpu_sys_s))s, \(f(requestsPerCPUSecond, 0)) requests per CPU second",
        ]
        if errors.transport + errors.status > 0 {
            lines.append("Errors: connect \(errors.connect), read \(errors.read), write \(errors.write), "
                + "timeout \(errors.timeout), status \(errors.status)")
        }
        if status_classes != StatusClasses() {
            let c = status_classes
            lines.append("Status: 1xx \(c.s1xx), 2xx \(c.s2xx), 3xx \(c.s3xx), 4xx \(c.s4xx), 5xx \(c.s5xx)")
        }
        if !per_server.isEmpty {
            lines.append("Per server: " + per_server.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
