import Foundation

/// `reproduce.json`: what someone needs to run the same benchmark again and to know whether
/// their numbers can be compared with these.
public struct Reproduce: Codable, Equatable, Sendable {
    public var commandLine: [String]
    public var lab: LabSetup
    public var profiles: [String]
    public var hostKernel: String
    public var directorKernel: String?
    public var directorHost: String
    public var toolVersions: ToolVersions
    public var host: HostInfo

    public init(summary: Summary) {
        commandLine = summary.commandLine
        lab = summary.lab
        profiles = summary.lab.profiles
        hostKernel = summary.host.kernel
        directorKernel = summary.toolVersions.directorKernel
        directorHost = summary.directorHost
        toolVersions = summary.toolVersions
        host = summary.host
    }

    enum CodingKeys: String, CodingKey {
        case commandLine = "command_line", lab, profiles, hostKernel = "host_kernel"
        case directorKernel = "director_kernel", directorHost = "director_backend"
        case toolVersions = "tool_versions", host
    }
}
