import Foundation
import Vocabulary

/// Text for `ipvsadm -R` (restore): one ipvsadm command per line without the program name,
/// the form `ipvsadm -S` saves. One process applies thousands of services, where one
/// `ipvsadm` per service would measure process starts in a UML guest, not IPVS.
public enum IPVSRestore {
    /// Lines adding every service of `specs`, each followed by its reals.
    public static func install(_ specs: [ServiceSpec]) throws -> [String] {
        try specs.flatMap { spec in
            try [line(IPVSCommand.addService(spec.service, scheduler: spec.scheduler, persistence: spec.persistence))]
                + spec.reals.map { real in
                    line(IPVSCommand.addReal(spec.service, real: real.address, port: real.port,
                                             forwarding: try IPVSBalancer.forwarding(real.forwarding), weight: real.weight))
                }
        }
    }

    /// Lines deleting every service of `services` (its reals go with it).
    public static func remove(_ services: [VirtualService]) -> [String] {
        services.map { line(IPVSCommand.deleteService($0)) }
    }

    /// Most bytes of restore text one command carries: an argument of execve may hold at
    /// most 128 KiB (MAX_ARG_STRLEN), so the text goes in pieces well below that.
    public static let chunkBytes = 64 * 1024

    /// The argv feeding `lines` to `ipvsadm -R`, in as few commands as `chunkBytes` allows,
    /// lines kept whole and in order. The text travels as an argument (through `sh`'s
    /// builtin printf to a pipe), so no file has to be visible to both the host and the
    /// director, and no runner needs standard input.
    public static func commands(_ lines: [String], chunkBytes: Int = chunkBytes) -> [[String]] {
        var chunks: [String] = []
        var current = ""
        for line in lines {
            if !current.isEmpty, current.utf8.count + line.utf8.count + 1 > chunkBytes {
                chunks.append(current)
                current = ""
            }
            current += line + "\n"
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks.map { ["sh", "-c", "printf '%s' \"$1\" | ipvsadm -R", "ipvsadm-restore", $0] }
    }

    /// An argv of `IPVSCommand` as a restore line: without "ipvsadm".
    static func line(_ argv: [String]) -> String {
        argv.dropFirst().joined(separator: " ")
    }
}
