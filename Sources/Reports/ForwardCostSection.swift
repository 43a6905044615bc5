import Foundation
import Results
import Vocabulary

/// The report's section on IPVS's own cost: the director measured with IPVS and, in the
/// same run and under the same load, plain-forwarding without it.
enum ForwardCostSection {
    static let explanation = "Each repeat also sends the same load through the same director without IPVS: to a "
        + "second address of real1 that the router routes via the director and no virtual service matches "
        + "(plain IP forwarding), half a window before and half after the IPVS window. In NAT the replies "
        + "come back through the director as IPVS-NAT's do; in DR and TUN only the requests cross it, as "
        + "with IPVS (the plain path does not encapsulate, so TUN's IPIP work counts as IPVS's cost). "
        + "Director CPU per packet = CPU busy × seconds ÷ packets received on its data links, counted the "
        + "same way on both sides; the difference is what IPVS itself costs on top of moving the packet. "
        + "The IPVS module stays loaded during the reference, so its hooks still see the packets (a "
        + "lookup that misses): the difference is IPVS's work for traffic it balances."

    static func cells(_ s: Summary) -> Section? {
        let measured = s.cells.filter { $0.plainForward != nil }
        guard !measured.isEmpty else { return nil }
        let labels = ReportContent.labels(measured)
        let perConn = measured.contains { $0.plainForward?.ipvsUsPerConn != nil }
        // IPVS alone keeps the section's words; with other balancers each is named.
        let ipvsOnly = measured.allSatisfy { $0.balancer == .ipvs }
        let term = ipvsOnly ? "IPVS" : "balancer"
        let rows = zip(labels, measured).map { label, c -> [String] in
            let f = c.plainForward!
            var row = [label, us(f.usPerPacketIPVS), us(f.usPerPacketPlain), signed(f.ipvsUsPerPacket)]
            if perConn {
                row += [f.usPerConnIPVS.map(us) ?? "–", f.usPerConnPlain.map(us) ?? "–", f.ipvsUsPerConn.map(signed) ?? "–"]
            }
            return row + [Format.count(f.plainRPS), Format.ratio(f.ipvsToPlainRatio), Format.ratio(c.lbOverheadRatio),
                          String(format: "%.0f%%", f.plainCPUPct), f.ipvsPacketsDuringPlain.map(String.init) ?? "n/a"]
        }
        var header = ["cell", "µs/packet with \(term)", "µs/packet plain", "\(term) µs/packet"]
        if perConn { header += ["µs/conn with \(term)", "µs/conn plain", "\(term) µs/conn"] }
        header += ["plain req/s", "\(term)/plain", "LB ratio (vs direct)", "CPU plain", "\(term) pkts during plain"]
        var bullets: [String] = []
        for mode in modeOrder(measured.map(\.mode.rawValue).uniqued()) {
            let inMode = measured.filter { $0.mode.rawValue == mode }
            for balancer in inMode.map(\.balancer).uniqued() {
                let costs = inMode.filter { $0.balancer == balancer }.compactMap(\.plainForward)
                let name = balancer == .ipvs ? "IPVS" : balancer.rawValue
                let head = ipvsOnly ? mode : "\(mode) \(name)"
                let med = { (xs: [Double]) in Spread(xs).median }
                var line = String(format: "%@: director %.1f µs/packet with %@, %.1f without; %@'s own cost %+.1f µs/packet",
                                  head, med(costs.map(\.usPerPacketIPVS)), name, med(costs.map(\.usPerPacketPlain)),
                                  name, med(costs.map(\.ipvsUsPerPacket)))
                let conns = costs.compactMap(\.ipvsUsPerConn)
                if !conns.isEmpty { line += String(format: ", %+.0f µs per new connection", med(conns)) }
                line += String(format: "; %@ keeps %.0f%% of the plain-forward rate (median over %d cells).",
                               name, med(costs.map(\.ipvsToPlainRatio)) * 100, costs.count)
                bullets.append(line)
            }
        }
        let bypassed = measured.compactMap { $0.plainForward?.ipvsPacketsDuringPlain }
        let counter = ipvsOnly ? "IPVS" : "The balancers"
        if !bypassed.isEmpty {
            bullets.append(bypassed.allSatisfy { $0 == 0 }
                ? "\(counter) counted 0 packets during every plain-forward stretch: the reference bypassed \(ipvsOnly ? "IPVS" : "them")."
                : "\(counter) counted packets during a plain-forward stretch (\(bypassed.reduce(0, +)) in all): "
                    + "the reference did not fully bypass \(ipvsOnly ? "IPVS" : "the balancer"), read its figures with care.")
        }
        let numeric = Set(1..<header.count)
        let title = ipvsOnly ? "IPVS's own cost: the same director with and without IPVS"
            : "Each balancer's own cost: the same director with and without it"
        return Section(title: title, blocks: [
            .paragraph(explanation + (ipvsOnly ? "" : " The other balancers are measured against the same reference: "
                + "the plain-forward address matches none of their rules either, so the difference is each "
                + "balancer's work for the traffic it balances.")),
            .bullets(bullets),
            .table(Table(header: header, rows: rows, numeric: numeric)),
        ])
    }

    /// Per sweep point: the same figures, the plain reference going to one uncapped real.
    static func sweepRows(_ points: [SweepPoint]) -> Table? {
        guard points.contains(where: { $0.plainForward != nil }) else { return nil }
        let perConn = points.contains { $0.plainForward?.ipvsUsPerConn != nil }
        let rows = points.map { p -> [String] in
            guard let f = p.plainForward else { return [String(p.reals)] + Array(repeating: "–", count: perConn ? 6 : 5) }
            var row = [String(p.reals), us(f.usPerPacketIPVS), us(f.usPerPacketPlain), signed(f.ipvsUsPerPacket)]
            if perConn { row.append(f.ipvsUsPerConn.map(signed) ?? "–") }
            return row + [Format.count(f.plainRPS), String(format: "%.0f%%", f.plainCPUPct)]
        }
        var header = ["reals", "µs/packet with IPVS", "µs/packet plain", "IPVS µs/packet"]
        if perConn { header.append("IPVS µs/conn") }
        header += ["plain req/s (1 uncapped real)", "CPU plain"]
        return Table(header: header, rows: rows, numeric: Set(0..<header.count))
    }

    static func us(_ x: Double) -> String { String(format: "%.1f", x) }
    static func signed(_ x: Double) -> String { String(format: "%+.1f", x) }
}
