import Foundation
import SystemKit
#if canImport(Glibc)
import Glibc
#endif

/// Checks an output directory before a run starts, so that an hour of measurements never
/// ends in "cannot write". As root, permission bits say little (root may write anywhere
/// except read-only or virtual file systems), so the check makes and removes a probe
/// directory at the nearest existing ancestor: nothing is left behind either way.
public enum OutputLocation {
    public static func checkWritable(_ path: String, option: String) throws {
        guard !path.isEmpty else { throw InvalidInput("\(option) is empty: give a directory such as results") }
        var url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { break }
            url = parent
        }
        guard isDirectory.boolValue else {
            throw InvalidInput("\(option) \(path) is not writable: \(url.path) is not a directory; choose another --out")
        }
        let probe = url.appendingPathComponent(".lvsbench-probe-XXXXXX").path
        var template = Array(probe.utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let made else {
            let reason = String(cString: strerror(errno))
            throw InvalidInput("\(option) \(path) is not writable (\(url.path): \(reason)): choose another --out")
        }
        rmdir(made)
    }
}
