import Foundation

/// Writes files so that a reader (or a crash) never sees half of one: the data goes to a
/// temporary file beside the target, is flushed, and is renamed over it.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: tmp.path, contents: data) else {
            throw RuntimeFailure("cannot write \(path): check that its directory is writable")
        }
        if let handle = FileHandle(forWritingAtPath: tmp.path) {
            try? handle.synchronize()
            try? handle.close()
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw RuntimeFailure("cannot write \(path): \(reason)")
        }
    }

    public static func write(_ string: String, to path: String) throws {
        try write(Data(string.utf8), to: path)
    }

    /// Encodes `value` as pretty, key-sorted JSON (stable diffs) and writes it atomically.
    public static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        try write(try JSONCoding.encode(value), to: path)
    }
}

/// One JSON style for everything lvsbench writes: snake_case is spelled out in CodingKeys
/// where a schema asks for it; output is pretty and key-sorted so results diff well.
public enum JSONCoding {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: data)
    }
}
