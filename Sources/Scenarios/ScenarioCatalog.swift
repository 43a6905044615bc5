import SystemKit

/// Every scenario `lvsbench scenario` knows, in the order `--list` shows them.
public enum ScenarioCatalog {
    public static let all: [any ScenarioDefinition] = [DeadReal(), HealthCheck(), DirectorFailover(), PortReuse(), ConnTable()]

    public static func named(_ name: String) throws -> any ScenarioDefinition {
        guard let scenario = all.first(where: { $0.name == name }) else {
            throw InvalidInput("no scenario '\(name)': give one of \(all.map(\.name).joined(separator: ", ")) (see `lvsbench scenario --list`)")
        }
        return scenario
    }
}
