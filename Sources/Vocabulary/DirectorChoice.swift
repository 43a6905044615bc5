import ArgumentParser
import SystemKit

/// Where the director runs, as the user asks for it.
public enum DirectorChoice: String, Codable, CaseIterable, Sendable, ExpressibleByArgument {
    /// Native when the host kernel has IPVS, else uml.
    case auto
    case native
    case uml

    public init(parsing text: String) throws {
        guard let choice = DirectorChoice(rawValue: text.lowercased()) else {
            throw InvalidInput("unknown director '\(text)': use auto, native or uml")
        }
        self = choice
    }

    public init?(argument: String) { try? self.init(parsing: argument) }
}
