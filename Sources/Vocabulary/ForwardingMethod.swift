import ArgumentParser

/// How the director hands a connection to a real server.
public enum ForwardingMethod: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    /// Masquerading: the director rewrites the destination, replies come back through it.
    case nat
    /// Direct routing: the director rewrites the MAC only; reals answer the client directly.
    case dr
    /// IPIP tunnelling: the director encapsulates; reals decapsulate and answer directly.
    case tun
}
