import CPcap
import Foundation
import Lab
import SystemKit

/// Captures the director's links with libpcap, from the switch namespace where each link's
/// far end lives, counting packets per direction, server replies and IPIP packets, and
/// matching packets across the director for its transit latency. Headers only (small
/// snaplen, a kernel filter for IPv4 on the director's links): the capture must cost far
/// less than the traffic it watches.
///
/// One capture per namespace, on its `any` device in Linux cooked v2 mode, whose header
/// carries each frame's interface and whether the switch side sent it (into the director)
/// or received it. A capture per link and direction, as before, had the kernel copy every
/// frame into two rings (libpcap drops the other direction only after the copy), four for
/// a NAT director's two links.
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

    /// `snaplen` counts from the IP header's Ethernet frame, as on the wire.
    public init(links: [CaptureLink], servicePorts: Set<UInt16> = [80, 9000], snaplen: Int32 = 128) throws {
        guard !links.isEmpty else { throw InvalidInput("no director links to capture: the lab records none") }
        self.links = links
        self.servicePorts = servicePorts
        self.snaplen = snaplen
    }

    /// Opens a capture per namespace of the links, each on a thread moved into it, and
    /// returns once all are capturing; the first failure stops them all.
    public func start() throws {
        try Privileges.requireRoot(for: "capturing the director's links")
        let ready = DispatchSemaphore(value: 0)
        let errors = ErrorBox()
        startTime = Date()
        let namespaces = Dictionary(grouping: links, by: \.namespace)
        for (namespace, links) in namespaces {
            lock.lock()
            threads += 1
            lock.unlock()
            let thread = Thread { [self] in capture(links, in: namespace, ready: ready, errors: errors) }
            thread.name = "lvsbench-pcap"
            thread.start()
        }
        for _ in namespaces { ready.wait() }
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
        let ordered = links.map { link in
            reports.first { $0.link == link }
                ?? WireLinkReport(link: link, toDirector: WireCounts(), fromDirector: WireCounts(), kernelDrops: 0)
        }
        return WireReport(seconds: Date().timeIntervalSince(startTime), links: ordered, transit: matcher.summary())
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    /// Seen from the switch side, a packet the switch sends (outgoing) goes into the director.
    private func capture(_ links: [CaptureLink], in namespace: String, ready: DispatchSemaphore, errors: ErrorBox) {
        defer { finished.signal() }
        let handle: OpaquePointer
        let indexes: [UInt32]
        do {
            (handle, indexes) = try open(links, in: namespace)
        } catch {
            errors.add(error)
            ready.signal()
            return
        }
        ready.signal()
        var toDirector = Array(repeating: WireCounts(), count: links.count)
        var fromDirector = toDirector
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
            guard let frame = PacketHeaders.parse(cooked: UnsafeRawBufferPointer(start: data, count: Int(h.caplen))),
                  let i = indexes.firstIndex(of: frame.interface) else { continue }
            // The cooked header stands where the wire had 14 bytes of Ethernet.
            let cooked = UInt32(PacketHeaders.cookedLength)
            let bytes = UInt64(max(h.len, cooked) - cooked + 14)
            let entering = frame.outgoing
            if entering { toDirector[i].count(frame.headers, bytes: bytes, servicePorts: servicePorts) }
            else { fromDirector[i].count(frame.headers, bytes: bytes, servicePorts: servicePorts) }
            if let key = frame.headers?.transitKey(servicePorts: servicePorts) {
                let micros = UInt64(h.ts.tv_sec) * 1_000_000 + UInt64(h.ts.tv_usec)
                matcher.observe(key, at: micros, entering: entering)
            }
        }
        var stats = pcap_stat()
        let drops = pcap_stats(handle, &stats) == 0 ? UInt64(stats.ps_drop) : 0
        pcap_close(handle)
        lock.lock()
        // One capture serves the namespace's links: its drops are reported on the first.
        for (i, link) in links.enumerated() {
            reports.append(WireLinkReport(link: link, toDirector: toDirector[i], fromDirector: fromDirector[i],
                                          kernelDrops: i == 0 ? drops : 0))
        }
        lock.unlock()
    }

    /// The namespace's `any` capture, filtered to IPv4 on the links, and each link's
    /// interface index (in `links`' order).
    private func open(_ links: [CaptureLink], in namespace: String) throws -> (OpaquePointer, [UInt32]) {
        let fd = Glibc.open("/run/netns/\(namespace)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw RuntimeFailure("cannot open network namespace \(namespace): \(String(cString: strerror(errno))) (is the lab up?)")
        }
        defer { close(fd) }
        guard lvsbench_setns_net(fd) == 0 else {
            throw RuntimeFailure("cannot enter network namespace \(namespace): \(String(cString: strerror(errno)))")
        }
        let indexes = try links.map { link -> UInt32 in
            let index = if_nametoindex(link.interface)
            guard index > 0 else { throw RuntimeFailure("no interface \(link.interface) in \(namespace) to capture (is the lab up?)") }
            return index
        }
        let names = links.map(\.interface).joined(separator: ", ")
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_create("any", &errbuf) else {
            throw RuntimeFailure("cannot capture on \(names) in \(namespace): \(String(cString: errbuf))")
        }
        func fail(_ step: String) -> RuntimeFailure {
            let reason = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            return RuntimeFailure("cannot capture on \(names) in \(namespace): \(step): \(reason)")
        }
        pcap_set_snaplen(handle, snaplen + PacketHeaders.cookedLength - 14)
        pcap_set_promisc(handle, 0)
        pcap_set_timeout(handle, 100)
        pcap_set_buffer_size(handle, 8 << 20)
        guard pcap_activate(handle) >= 0 else { throw fail("activate") }
        guard pcap_set_datalink(handle, DLT_LINUX_SLL2) == 0 else { throw fail("cooked v2 headers") }
        var program = bpf_program()
        let filter = "(" + indexes.map { "ifindex \($0)" }.joined(separator: " or ") + ") and ip"
        guard pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else { throw fail("filter") }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(handle, &program) == 0 else { throw fail("filter") }
        guard pcap_setnonblock(handle, 1, &errbuf) == 0 else { throw fail("non-blocking mode") }
        return (handle, indexes)
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
