import Balancing
@testable import ProxyBalancing
import Vocabulary
import XCTest

final class HAProxyStatTests: XCTestCase {
    /// `show stat` of HAProxy 2.6 with a wrr service of two reals, trimmed after `uweight`
    /// (the parser finds columns by name).
    static let header = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,"
    static let text = [
        header,
        "fe-198.18.1.100-80,FRONTEND,,,0,2,100000,30,3000,9000,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,1,,,,,,,,,,,0,0,0,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,tcp,,0,1,30,,0,0,0,,,,,,,,,,,0,,,,,",
        "be-198.18.1.100-80,s-198.18.2.11-80,0,0,0,1,,25,2500,7500,,0,,0,0,0,0,no check,4,1,0,,,0,,,1,3,1,,25,,2,0,,1,,,,,,,,,,,,,,0,0,,,,,3,,,0,0,0,1,,,,,,,,,,,,198.18.2.11:80,,tcp,,,,,,,,0,25,0,,,0,,0,0,0,1,0,0,0,0,0,5,",
        "be-198.18.1.100-80,s-198.18.2.12-80,0,0,0,1,,5,500,1500,,0,,0,0,0,0,no check,0,1,0,,,0,,,1,3,2,,5,,2,0,,1,,,,,,,,,,,,,,0,0,,,,,3,,,0,0,0,1,,,,,,,,,,,,198.18.2.12:80,,tcp,,,,,,,,0,5,0,,,0,,0,0,0,1,0,0,0,0,0,0,",
        "be-198.18.1.100-80,BACKEND,0,0,0,2,10000,30,3000,9000,0,0,,0,0,0,0,UP,5,2,0,,0,0,0,,1,3,0,,30,,1,0,,1,,,,,,,,,,,,,,0,0,0,0,0,0,3,,,0,0,0,1,,,,,,,,,,,,,,tcp,roundrobin,,,,,,,0,30,0,,,,,0,0,0,1,0,,,,,5,",
        "",
    ].joined(separator: "\n")

    let service = VirtualService(address: "198.18.1.100", port: 80)
    var spec: ServiceSpec {
        ServiceSpec(service: service, scheduler: .wrr, reals: [
            RealSpec(address: "198.18.2.11", port: 80, forwarding: .nat, weight: 5),
            RealSpec(address: "198.18.2.12", port: 80, forwarding: .nat, weight: 1),
        ])
    }

    func testParsesRowsByColumnName() throws {
        let stat = try HAProxyStat.parse(Self.text)
        XCTAssertEqual(stat.rows.count, 4)
        XCTAssertEqual(stat.rows[1], HAProxyStat.Row(proxy: "be-198.18.1.100-80", name: "s-198.18.2.11-80", sessions: 25,
                                                      bytesIn: 2500, bytesOut: 7500, weight: 5, address: "198.18.2.11:80",
                                                      algorithm: nil))
        XCTAssertEqual(stat.rows[3].algorithm, "roundrobin")
        XCTAssertEqual(stat.frontends, ["fe-198.18.1.100-80"])
    }

    func testCountersPerServiceAndRealWithoutPackets() throws {
        let readings = try HAProxyStat.parse(Self.text).readings(of: [spec])
        XCTAssertEqual(readings, [ServiceReading(proto: "TCP", service: service,
            counters: BalancerCounters(conns: 30, inPackets: 0, outPackets: 0, inBytes: 3000, outBytes: 9000), reals: [
                RealReading(proto: "TCP", service: service, address: "198.18.2.11", port: 80,
                            counters: BalancerCounters(conns: 25, inPackets: 0, outPackets: 0, inBytes: 2500, outBytes: 7500)),
                RealReading(proto: "TCP", service: service, address: "198.18.2.12", port: 80,
                            counters: BalancerCounters(conns: 5, inPackets: 0, outPackets: 0, inBytes: 500, outBytes: 1500)),
            ])])
    }

    func testRunningServicesCarryTheRuntimeWeights() throws {
        let running = try HAProxyStat.parse(Self.text).running([spec])
        XCTAssertEqual(running.first?.reals.map(\.weight), [5, 0], "the second real's weight was set to 0 at runtime")
        XCTAssertEqual(running.first?.scheduler, .wrr)
        var lc = spec
        lc.scheduler = .lc
        XCTAssertEqual(try HAProxyStat.parse(Self.text).running([lc]).first?.scheduler, .wrr, "the backend runs roundrobin")
        let other = ServiceSpec(service: VirtualService(address: "198.18.1.100", port: 9000), scheduler: .wrr, reals: [])
        XCTAssertEqual(try HAProxyStat.parse(Self.text).running([other]), [], "a service without a frontend does not run")
    }

    func testRefusesGarbledText() {
        XCTAssertThrowsError(try HAProxyStat.parse("Unknown command\n"))
        XCTAssertThrowsError(try HAProxyStat.parse("# pxname,svname,stot,bin,bout,weight\nfe,FRONTEND,x,0,0,\n"))
        XCTAssertThrowsError(try HAProxyStat.parse("# pxname,svname,stot,bin,weight\n"), "no bout column")
    }

    /// HAProxy 2.6's `show proc` on the master CLI, during a reload.
    func testCurrentWorkerIsTheFirstUnderWorkersNotAnOldOne() {
        let text = """
            #<PID>          <type>          <reloads>       <uptime>        <version>
            7123            master          1 [failed: 0]   0d00h00m09s     2.6.12-1+deb12u4
            # workers
            7130            worker          0               0d00h00m01s     2.6.12-1+deb12u4
            # old workers
            7124            worker          1               0d00h00m09s     2.6.12-1+deb12u4
            # programs

            """
        XCTAssertEqual(HAProxyBalancer.currentWorker(inShowProc: text), "7130")
        XCTAssertNil(HAProxyBalancer.currentWorker(inShowProc: "# workers\n# old workers\n7124 worker\n"))
    }
}
