import Foundation
import SystemKit
#if canImport(Glibc)
import Glibc
#endif

/// A connection to the guest agent that stays open for a whole collection: a read request
/// with `keepOpen` turns the connection into a stream of request and response lines, so a
/// sample costs the one-CPU UML guest neither an accept, a TCP handshake and teardown, nor
/// a secret check and a pooled thread, and the agent keeps the sampled files open between
/// requests (Benchmarks/CollectorCost.md). The secret is checked once, before the first
/// request, as for any connection. Only read requests are streamed; each still gets a full
/// `Response` line, marked `keptOpen`.
enum AgentStream {
    /// A stream that gets no request for this long is closed: its collector is gone (a
    /// host that vanished sends no FIN). A caller whose stream was closed reconnects.
    static let idleTimeout = 600.0

    /// Serves the stream on a thread of its own (not Dispatch's pool: the stream blocks for
    /// its whole life); closes `conn` at its end.
    static func start(_ conn: Socket, first: GuestAgent.Request, line: [UInt8]) {
        let thread = Thread { serve(conn, first: first, line: line) }
        thread.name = "lvsbench-agent-stream"
        thread.start()
    }

    static func serve(_ conn: Socket, first: GuestAgent.Request, line: [UInt8]) {
        let files = KeptFiles()
        defer {
            files.close()
            conn.close()
        }
        conn.setReceiveTimeout(idleTimeout)
        let encoder = JSONEncoder()
        var reader = LineReader()
        var (request, previous) = (first, line)
        while true {
            var response = GuestAgent.answer(request, files: files)
            response.keptOpen = true
            guard var data = try? encoder.encode(response) else { return }
            data.append(0x0A)
            guard conn.writeAll([UInt8](data)), let next = reader.next(from: conn) else { return }
            // A collector sends the same request line sample after sample: decode it once.
            if next != previous {
                guard let decoded = try? JSONDecoder().decode(GuestAgent.Request.self, from: Data(next)),
                      decoded.keepOpen == true, decoded.read != nil else { return }
                (request, previous) = (decoded, next)
            }
        }
    }
}

/// Newline-terminated lines from a socket through one reused buffer: one recv per line
/// when lines come one at a time, as a stream's requests do.
struct LineReader {
    /// Longer request lines end the stream.
    static let limit = 1 << 20
    private var buffer = [UInt8](repeating: 0, count: 16_384)
    private var start = 0
    private var end = 0

    /// The next line without its newline; nil on end of file, error, timeout or overlong line.
    mutating func next(from conn: Socket) -> [UInt8]? {
        var scanned = start
        while true {
            if let nl = buffer[scanned..<end].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<nl])
                start = nl + 1
                return line
            }
            scanned = end
            if start > 0 {
                buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
                (scanned, end, start) = (scanned - start, end - start, 0)
            }
            if end == buffer.count {
                guard buffer.count < Self.limit else { return nil }
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
            let n = buffer.withUnsafeMutableBytes { recv(conn.fd, $0.baseAddress! + end, $0.count - end, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            end += n
        }
    }
}

/// The files a stream reads, kept open and reread from offset 0 with pread into one reused
/// buffer: in the UML guest every system call is a round trip through the host, and
/// open+close cost about as much as the read itself. Only files below /proc and /sys are
/// kept: the kernel makes their content afresh for each read (seq_file, sysctl), whereas a
/// regular file may be replaced by another under its name. Used by one thread at a time.
final class KeptFiles {
    /// Paths beyond this many are read as `FileReader.read` does, not kept.
    static let limit = 64
    /// Path prefixes whose files are kept open.
    let keptBelow: [String]
    private var open: [String: Int32] = [:]
    private var buffer = [UInt8](repeating: 0, count: 65_536)

    init(keptBelow: [String] = ["/proc/", "/sys/"]) {
        self.keptBelow = keptBelow
    }

    /// The same outcome as `FileReader.read(path)`. A path that cannot be opened is tried
    /// again next time (a module loaded meanwhile creates its /proc files); one whose
    /// pread fails (not seekable, say) is closed and read as `FileReader.read` does.
    func read(_ path: String) -> FileReader.Outcome {
        if open[path] == nil {
            guard open.count < Self.limit, keptBelow.contains(where: { path.hasPrefix($0) }) else { return FileReader.read(path) }
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return FileReader.failure(path, errno) }
            open[path] = fd
        }
        return reread(path) ?? FileReader.read(path)
    }

    /// Keeps `fd`, opened elsewhere (inside another network namespace, say), as `path`'s.
    func adopt(_ fd: Int32, as path: String) {
        if let old = open[path] { Glibc.close(old) }
        open[path] = fd
    }

    /// The content of a kept file, read afresh; nil when `path` is not kept or its pread
    /// fails (the descriptor is then closed and forgotten).
    func reread(_ path: String) -> FileReader.Outcome? {
        guard let fd = open[path] else { return nil }
        var used = 0
        while true {
            if used == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + used, $0.count - used, off_t(used)) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                Glibc.close(fd)
                open[path] = nil
                return nil
            }
            used += n
        }
        return FileReader.Outcome(content: String(decoding: buffer[0..<used], as: UTF8.self))
    }

    func close() {
        for fd in open.values { Glibc.close(fd) }
        open = [:]
    }
}

extension GuestAgent {
    /// One open connection to a director's agent for many read requests (a collection's
    /// samples): see `AgentStream`. Against an agent older than streams each request gets
    /// a connection of its own, as `readWithIPVSReals` does. A stream the agent closed
    /// (idle timeout, restarted guest) is reopened once per request; reads are repeatable.
    public final class Session: @unchecked Sendable {
        public let address: String
        /// The network namespace to connect from; nil: this process's.
        public let namespace: String?
        public let secretFile: String
        private let lock = NSLock()
        private var conn: Socket?

        public init(address: String, namespace: String?, secretFile: String) {
            self.address = address
            self.namespace = namespace
            self.secretFile = secretFile
        }

        deinit { conn?.close() }

        /// As `GuestAgent.read`, over this session's connection.
        public func read(_ paths: [String], replyTimeout: Double = 10) throws -> [String: FileReader.Outcome] {
            let request = Request(argv: [], timeout: nil, read: paths, keepOpen: true)
            let r = try exchange(request, what: "reading \(paths.count) files", replyTimeout: replyTimeout)
            guard let files = r.files else { throw GuestAgent.cannotRead(r, address: address) }
            return files
        }

        /// As `GuestAgent.readWithIPVSReals`, over this session's connection.
        public func readWithIPVSReals(_ paths: [String], occasional: Bool = false, replyTimeout: Double = 10) throws -> IPVSRead {
            let request = Request(argv: [], timeout: nil, read: paths, ipvsReals: true, ipvsOccasional: occasional, keepOpen: true)
            return try ipvsRead(try exchange(request, what: ipvsWhat(paths), replyTimeout: replyTimeout), address: address)
        }

        /// Closes the connection; a later request opens a new one.
        public func close() {
            lock.lock()
            defer { lock.unlock() }
            conn?.close()
            conn = nil
        }

        private func exchange(_ request: Request, what: String, replyTimeout: Double) throws -> Response {
            lock.lock()
            defer { lock.unlock() }
            var data = try JSONEncoder().encode(request)
            data.append(0x0A)
            while true {
                let reused = conn != nil
                let c: Socket
                var bytes = [UInt8](data)
                if let conn { c = conn } else {
                    c = try Socket.connect(address, namespace: namespace, timeout: 5)
                    do { bytes = try AgentSecret.read(from: secretFile).line + [0x0A] + bytes } catch {
                        c.close()
                        throw error
                    }
                    conn = c
                }
                c.setReceiveTimeout(replyTimeout)
                guard c.writeAll(bytes), let line = c.readLine() else {
                    c.close()
                    conn = nil
                    if reused { continue }
                    throw RuntimeFailure("no answer from the director's agent at \(address) for \(what): is the guest still running?")
                }
                let response: Response
                do { response = try decodeResponse(line, address: address, what: what, secretFile: secretFile) } catch {
                    c.close()
                    conn = nil
                    throw error
                }
                if response.keptOpen != true {
                    c.close()
                    conn = nil
                }
                return response
            }
        }
    }
}
