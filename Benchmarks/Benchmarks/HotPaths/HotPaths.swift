import Benchmark
import Histogram
import LoadGen

/// The per-response work of the load generator outside the kernel: parsing a response
/// (as nginx sends it, and chunked) with its X-Real-Server counted, parsing a responder
/// answer, and recording a latency. Each should stay allocation-free per response.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .instructions, .mallocCountTotal], scalingFactor: .kilo)

    let nginx = Array(("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 11:32:02 GMT\r\n"
        + "Content-Type: text/plain\r\nContent-Length: 13\r\nConnection: keep-alive\r\nX-Real-Server: real1\r\n\r\n"
        + "hello, world\n").utf8)
    let chunked = Array(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Real-Server: real2\r\n\r\n"
        + "5\r\nhello\r\n8\r\n, world\n\r\n0\r\n\r\n").utf8)
    let responder = Array("real3\n".utf8) + [UInt8](repeating: 46, count: 58)

    Benchmark("HTTP response, Content-Length") { benchmark in
        var servers = ServerNameTable()
        var parser = HTTPResponseParser()
        nginx.withUnsafeBufferPointer { buffer in
            for _ in benchmark.scaledIterations {
                parser.reset()
                blackHole(try? parser.parse(buffer.baseAddress!, buffer.count, servers: &servers))
            }
        }
        blackHole(servers.dictionary)
    }

    Benchmark("HTTP response, chunked") { benchmark in
        var servers = ServerNameTable()
        var parser = HTTPResponseParser()
        chunked.withUnsafeBufferPointer { buffer in
            for _ in benchmark.scaledIterations {
                parser.reset()
                blackHole(try? parser.parse(buffer.baseAddress!, buffer.count, servers: &servers))
            }
        }
    }

    Benchmark("Responder response, 64 bytes") { benchmark in
        var servers = ServerNameTable()
        responder.withUnsafeBufferPointer { buffer in
            for _ in benchmark.scaledIterations {
                var parser = TCPResponseParser(responseSize: 64)
                blackHole(parser.parse(buffer.baseAddress!, buffer.count, servers: &servers))
            }
        }
    }

    Benchmark("Latency recording") { benchmark in
        var histogram = LatencyHistogram.make()
        var latency: UInt64 = 37_000
        for _ in benchmark.scaledIterations {
            latency = latency &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            histogram.record(LatencyHistogram.microseconds(latency >> 44))
        }
        blackHole(histogram.totalCount)
    }
}
