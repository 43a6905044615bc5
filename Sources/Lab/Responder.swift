import Foundation
import SystemKit

/// The plain TCP server each real runs on port 9000 (see `ResponderProtocol`). One thread
/// per connection: the load generator holds at most a few hundred open at once, and a
/// blocked read costs nothing while it waits.
public enum Responder {
    public static func serve(listen address: String, name: String) throws -> Never {
        let server = try Socket.listen(address)
        while true {
            guard let conn = server.accept() else { continue }
            let thread = Thread { handle(conn, name: name) }
            thread.stackSize = 256 << 10
            thread.start()
        }
    }

    static func handle(_ conn: Socket, name: String) {
        defer { conn.close() }
        var header = [UInt8](repeating: 0, count: ResponderProtocol.headerLength)
        var scratch = [UInt8](repeating: 0, count: 65536)
        var cached: [UInt8] = []
        while conn.readExactly(&header, count: header.count) {
            guard let request = ResponderProtocol(header: header) else { return }
            guard conn.skip(Int(request.requestLength) - header.count, scratch: &scratch) else { return }
            let m = Int(request.responseLength)
            if cached.count != m { cached = ResponderProtocol.response(name: name, length: m) }
            guard conn.writeAll(cached) else { return }
        }
    }
}
