import SystemKit

/// Which lab a command acts on when the user gave no `--name`: the only lab up under this run
/// directory. One rule for `lab status`, `lab exec`, `tune` and `collect`, so they agree.
public enum LabResolver {
    /// `name` when given (validated); else the only lab with a state file, announced through
    /// `announce` so the user sees which was used. None or several is `InvalidInput` listing
    /// them.
    public static func resolve(_ name: String?, announce: (String) -> Void) throws -> String {
        if let name {
            try LabSpec.validateName(name)
            return name
        }
        let labs = LabStore.names()
        switch labs.count {
        case 1:
            announce("using lab \(labs[0]), the only lab up (under \(LabEnvironment.labsDirectory))")
            return labs[0]
        case 0:
            throw InvalidInput("no lab is up (none under \(LabEnvironment.labsDirectory)): start one with `lvsbench lab up`, or give --name")
        default:
            throw InvalidInput("\(labs.count) labs are up (\(labs.joined(separator: ", "))): pick one with --name")
        }
    }
}
