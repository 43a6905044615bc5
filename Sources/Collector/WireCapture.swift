import CPcap
import Foundation
import Lab
import SystemKit

/// Captures the director's links with libpcap, from the switch namespace where each link's
/// far end lives, counting packets per direction, server replies and IPIP packets, and
/// matching packets across the director for its transit latency. Headers only (small
/// snaplen, `ip` filter): the capture must cost far less than the traffic it watches.
public final class WireCapture: @unchecked Sendable {
    public let links: [CaptureLink]
    public let servicePorts: Set<UInt16>
    let snaplen: Int32

    private let matcher = TransitMatcher()
    private let lock = NSLock()
    private var stopping = false
    private var reports: [WireLinkReport] = []
    private var threads = 0
    private let finished = DispatchSemaphore(value: 0)
    private var startTime = Date()

    public init(links: [CaptureLink], servicePorts: Set<UInt16> = [80, 9000], snaplen: Int32 = 128) throws {
        guard !links.isEmpty else { throw InvalidInput("no director links to capture: the lab records none") }
        self.links = links
        self.servicePorts = servicePorts
        self.snaplen = snaplen
    }

    /// Opens a capture per link and direction, each on a thread moved into the link's
    /// namespace, and returns once all are capturing; the first failure stops them all.
    public func start() throws {
        try Privileges.requireRoot(for: "capturing the director's links")
        let ready = DispatchSemaphore(value: 0)
        let errors = ErrorBox()
        startTime = Date()
        for link in links {
            for direction in [PCAP_D_OUT, PCAP_D_IN] {
                lock.lock()
                threads += 1
                lock.unlock()
                let thread = Thread { [self] in capture(link, direction: direction, ready: ready, errors: errors) }
                thread.name = "lvsbench-pcap"
                thread.start()
            }
        }
        for _ in 0..<(links.count * 2) { ready.wait() }
        if let error = errors.first {
            _ = stop()
            throw error
        }
    }

    /// Stops every capture and returns what they saw.
    public func stop() -> WireReport {
        lock.lock()
        let running = stopping ? 0 : threads
        stopping = true
        lock.unlock()
        for _ in 0..<running { finished.wait() }
        lock.lock()
        defer { lock.unlock() }
        // One report per link: merge its two directions' threads.
        var merged: [WireLinkReport] = []
        for link in links {
            let parts = reports.filter { $0.link == link }
            var r = WireLinkReport(link: link, toDirector: WireCounts(), fromDirector: WireCounts(), kernelDrops: 0)
            for p in parts {
                r.toDirector.add(p.toDirector)
                r.fromDirector.add(p.fromDirector)
                r.kernelDrops += p.kernelDrops
            }
            merged.append(r)
        }
        return WireReport(seconds: Date().timeIntervalSince(startTime), links: merged, transit: matcher.summary())
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    /// Seen from the switch side, a packet the switch sends (out) goes into the director.
    private func capture(_ link: CaptureLink, direction: pcap_direction_t, ready: DispatchSemaphore, errors: ErrorBox) {
        defer { finished.signal() }
        let handle: OpaquePointer
        do {
            handle = try open(link, direction: direction)
        } catch {
            errors.add(error)
            ready.signal()
            return
        }
        ready.signal()
        let entering = direction == PCAP_D_OUT
        var counts = WireCounts()
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        // Non-blocking reads and our own poll: with TPACKET_V3 a blocking read's timeout
        // only runs once a packet arrived, so an idle link would never see the stop flag.
        // After stop, reading goes on for longer than the buffer timeout, so packets in
        // a block the kernel has not yet handed over are still counted.
        var pollFD = pollfd(fd: pcap_get_selectable_fd(handle), events: Int16(POLLIN), revents: 0)
        var stopSeen: Date?
        while true {
            let rc = pcap_next_ex(handle, &header, &data)
            if rc == 0 {
                if let stopSeen, Date().timeIntervalSince(stopSeen) > 0.25 { break }
                if stopSeen == nil, isStopping { stopSeen = Date() }
                _ = poll(&pollFD, 1, 50)
                continue
            }
            guard rc == 1, let h = header?.pointee, let data else { break }
            counts.packets += 1
            counts.bytes += UInt64(h.len)
            guard let headers = PacketHeaders.parse(ethernet: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)))
            else { continue }
            if headers.isIPIP { counts.ipip += 1 }
            if headers.isReply(servicePorts: servicePorts) { counts.replies += 1 }
            if let key = headers.transitKey(servicePorts: servicePorts) {
                let micros = UInt64(h.ts.tv_sec) * 1_000_000 + UInt64(h.ts.tv_usec)
                matcher.observe(key, at: micros, entering: entering)
            }
        }
        var stats = pcap_stat()
        let drops = pcap_stats(handle, &stats) == 0 ? UInt64(stats.ps_drop) : 0
        pcap_close(handle)
        lock.lock()
        reports.append(WireLinkReport(link: link, toDirector: entering ? counts : WireCounts(),
                                      fromDirector: entering ? WireCounts() : counts, kernelDrops: drops))
        lock.unlock()
    }

    private func open(_ link: CaptureLink, direction: pcap_direction_t) throws -> OpaquePointer {
        let fd = Glibc.open("/run/netns/\(link.namespace)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw RuntimeFailure("cannot open network namespace \(link.namespace): \(String(cString: strerror(errno))) (is the lab up?)")
        }
        defer { close(fd) }
        guard lvsbench_setns_net(fd) == 0 else {
            throw RuntimeFailure("cannot enter network namespace \(link.namespace): \(String(cString: strerror(errno)))")
        }
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_create(link.interface, &errbuf) else {
            throw RuntimeFailure("cannot capture on \(link.interface) in \(link.namespace): \(String(cString: errbuf))")
        }
        func fail(_ step: String) -> RuntimeFailure {
            let reason = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            return RuntimeFailure("cannot capture on \(link.interface) in \(link.namespace): \(step): \(reason)")
        }
        pcap_set_snaplen(handle, snaplen)
        pcap_set_promisc(handle, 0)
        pcap_set_timeout(handle, 100)
        pcap_set_buffer_size(handle, 8 << 20)
        guard pcap_activate(handle) >= 0 else { throw fail("activate") }
        guard pcap_datalink(handle) == DLT_EN10MB else { throw fail("not an Ethernet link") }
        guard pcap_setdirection(handle, direction) == 0 else { throw fail("setdirection") }
        var program = bpf_program()
        guard pcap_compile(handle, &program, "ip", 1, PCAP_NETMASK_UNKNOWN) == 0 else { throw fail("filter") }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(handle, &program) == 0 else { throw fail("filter") }
        guard pcap_setnonblock(handle, 1, &errbuf) == 0 else { throw fail("non-blocking mode") }
        return handle
    }
}

/// The first error of the capture threads.
private final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []
    func add(_ e: Error) {
        lock.lock()
        errors.append(e)
        lock.unlock()
    }
    var first: Error? {
        lock.lock()
        defer { lock.unlock() }
        return errors.first
    }
}
