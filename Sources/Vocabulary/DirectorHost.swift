import ArgumentParser

/// Where the director actually runs once `auto` is resolved.
public enum DirectorHost: String, Codable, CaseIterable, Sendable, ExpressibleByArgument {
    /// A network namespace of the host, served by the host kernel's IPVS.
    case native
    /// A user-mode Linux guest joined to the lab by tap devices; its own kernel has IPVS.
    case uml
}
