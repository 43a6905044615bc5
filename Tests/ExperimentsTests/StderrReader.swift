import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a child's stderr on a thread of its own, keeping the text and the phase markers.
final class StderrReader: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSCondition()
    private var buffer = Data()
    private var stopped = false
    private var closeRequested = false
    private var markersSeen: [(phase: String, detail: String)] = []
    private var thread: Thread!

    init(fd: Int32) {
        self.fd = fd
        thread = Thread { [self] in loop() }
        thread.start()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: buffer, as: UTF8.self)
    }

    private func loop() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            lock.lock()
            if closeRequested {
                close(fd)
                stopped = true
                lock.broadcast()
                lock.unlock()
                return
            }
            lock.unlock()
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) >= 0 || errno == EINTR else { break }
            guard p.revents != 0 else { continue }
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            lock.lock()
            buffer.append(contentsOf: chunk[0..<n])
            markersSeen = Self.markers(in: buffer)
            lock.broadcast()
            lock.unlock()
        }
        lock.lock()
        close(fd)
        stopped = true
        lock.broadcast()
        lock.unlock()
    }

    static func markers(in data: Data) -> [(phase: String, detail: String)] {
        String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).compactMap { line in
            guard let r = line.range(of: "lvsbench-phase: ") else { return nil }
            let rest = line[r.upperBound...]
            let phase = rest.prefix { $0 != " " }
            return (String(phase), String(rest.dropFirst(phase.count).drop { $0 == " " }))
        }
    }

    func wait(timeout: Double, until done: ([(phase: String, detail: String)]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while !done(markersSeen) {
            if stopped || !lock.wait(until: deadline) { return done(markersSeen) }
        }
        return true
    }

    func hangUp() {
        lock.lock()
        closeRequested = true
        while !stopped { lock.wait() }
        lock.unlock()
    }

    /// Waits for the reader to see the end of the stream (the child exited).
    func finish() {
        lock.lock()
        let deadline = Date().addingTimeInterval(10)
        while !stopped && lock.wait(until: deadline) {}
        lock.unlock()
    }
}
