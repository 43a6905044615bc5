/// A TCP virtual service: the address and port clients connect to.
public struct VirtualService: Codable, Equatable, Hashable, Sendable {
    public var address: String
    public var port: Int
    public init(address: String, port: Int) {
        self.address = address
        self.port = port
    }
    /// "198.18.1.100:80".
    public var endpoint: String { "\(address):\(port)" }
}
