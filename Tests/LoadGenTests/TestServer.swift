import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking server on 127.0.0.1 (ephemeral port, a thread per connection) for the
/// load generator's tests. `respond` gets the connection and the request number and writes
/// the answer; the server counts the requests it read.
final class TestServer: @unchecked Sendable {
    enum Kind { case http, responder }

    let port: UInt16
    private let listenFD: Int32
    private let lock = NSLock()
    private var clients: [Int32] = []
    private var stopped = false
    private var requestCount = 0
    private var threads = 0
    private var accepting = true
    private let kind: Kind
    private let respond: (Int32, Int) -> Bool

    /// Requests fully read so far.
    var requests: Int { lock.lock(); defer { lock.unlock() }; return requestCount }

    /// - Parameter respond: writes the response to request number n (0-based) on the socket;
    ///   returns false to close the connection afterwards.
    init(_ kind: Kind = .http, respond: @escaping (Int32, Int) -> Bool) throws {
        self.kind = kind
        self.respond = respond
        listenFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listenFD, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = listenFD
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 512) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// A port on 127.0.0.1 with nothing listening on it.
    static func closedPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, length)
                _ = getsockname(fd, $0, &length)
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Stops accepting, disconnects every client and waits for the server's threads.
    func stop() {
        lock.lock()
        stopped = true
        let open = clients
        lock.unlock()
        shutdown(listenFD, Int32(SHUT_RDWR))
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            lock.lock()
            let left = threads + (accepting ? 1 : 0)
            lock.unlock()
            if left == 0 { break }
            usleep(5_000)
        }
        close(listenFD)
    }

    private func acceptLoop() {
        defer { lock.lock(); accepting = false; lock.unlock() }
        while true {
            let fd = accept(listenFD, nil, nil)
            lock.lock()
            let done = stopped
            if fd >= 0, !done {
                clients.append(fd)
                threads += 1
            }
            lock.unlock()
            if done {
                if fd >= 0 { close(fd) }
                return
            }
            if fd < 0 { continue }
            let thread = Thread { [self] in
                serve(fd)
                lock.lock()
                clients.removeAll { $0 == fd }
                threads -= 1
                lock.unlock()
                close(fd)
            }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            guard let requestLength = completeRequest(in: pending) else {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { return }
                pending.append(contentsOf: buffer[0..<n])
                continue
            }
            pending.removeFirst(requestLength)
            lock.lock()
            let number = requestCount
            requestCount += 1
            lock.unlock()
            if !respond(fd, number) { return }
        }
    }

    /// The length of the first complete request in `bytes`, or nil.
    private func completeRequest(in bytes: [UInt8]) -> Int? {
        switch kind {
        case .http:
            guard bytes.count >= 4 else { return nil }
            for i in 3..<bytes.count where bytes[i - 3] == 13 && bytes[i - 2] == 10 && bytes[i - 1] == 13 && bytes[i] == 10 {
                return i + 1
            }
            return nil
        case .responder:
            guard bytes.count >= 8 else { return nil }
            let n = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
            return bytes.count >= n ? n : nil
        }
    }
}

/// Writes all of `text` to `fd`.
@discardableResult
func send(_ fd: Int32, _ text: String) -> Bool { send(fd, Array(text.utf8)) }

/// Writes all of `bytes` to `fd`; false (never SIGPIPE) when the connection is gone, as it
/// is once `TestServer.stop` has shut it down under a handler that is still answering.
@discardableResult
func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { return false }
        offset += n
    }
    return true
}

/// The lab responder's answer to a request asking for `size` bytes: "name\n" then filler.
func responderResponse(name: String, size: Int) -> [UInt8] {
    var bytes = Array((name + "\n").utf8.prefix(size))
    bytes += [UInt8](repeating: UInt8(ascii: "."), count: size - bytes.count)
    return bytes
}
