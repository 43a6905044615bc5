import Foundation

/// What can still be read from a state file that does not decode (truncated, corrupt,
/// foreign): each complete entry of its `processes` array that is one of the lab's own, the
/// owner, the prefix. `lab down` uses it to reap what the file recorded, besides what it
/// finds by the lab's name.
public struct SalvagedLabState: Equatable, Sendable {
    public var processes: [ProcessRecord] = []
    public var ownerPid: Int32?
    public var ownerStartTime: UInt64?
    public var prefix: String?

    /// Reads `data` leniently as lab `name`'s state. Never throws: what cannot be read is
    /// left out. A process entry counts only when its pid is a number and its marker is the
    /// lab's (a path in its directory, or its guest's exact `umid=`).
    public static func scan(_ data: Data, name: String, prefix fallbackPrefix: String) -> SalvagedLabState {
        let bytes = [UInt8](data)
        var salvaged = SalvagedLabState()
        salvaged.prefix = stringField("prefix", in: bytes).flatMap { p in
            p.isEmpty || p.contains("/") ? nil : p
        }
        salvaged.ownerPid = numberField("ownerPid", in: bytes).flatMap { Int32(exactly: $0) }
        salvaged.ownerStartTime = numberField("ownerStartTime", in: bytes).flatMap { UInt64(exactly: $0) }
        let prefixes = Set([fallbackPrefix, salvaged.prefix].compactMap { $0 })
        for object in arrayObjects("processes", in: bytes) {
            guard let entry = (try? JSONSerialization.jsonObject(with: Data(object))) as? [String: Any],
                  let pid = (entry["pid"] as? NSNumber).flatMap({ Int32(exactly: $0.doubleValue) }), pid > 1,
                  let marker = entry["marker"] as? String,
                  prefixes.contains(where: { LabState.marker(marker, belongsTo: name, prefix: $0) }) else { continue }
            salvaged.processes.append(ProcessRecord(pid: pid, label: entry["label"] as? String ?? "process",
                                                    marker: marker, group: entry["group"] as? Bool ?? true))
        }
        return salvaged
    }

    /// The byte offset just past `"key"` followed by optional spaces and a colon.
    private static func valueStart(_ key: String, in bytes: [UInt8]) -> Int? {
        let needle = Array("\"\(key)\"".utf8)
        guard bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count)
        where bytes[start] == needle[0] && bytes[start..<(start + needle.count)].elementsEqual(needle) {
            var i = skipSpaces(bytes, from: start + needle.count)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { continue }
            i = skipSpaces(bytes, from: i + 1)
            return i
        }
        return nil
    }

    private static func skipSpaces(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
        return i
    }

    private static func numberField(_ key: String, in bytes: [UInt8]) -> Double? {
        guard let start = valueStart(key, in: bytes) else { return nil }
        let digits = bytes[start...].prefix { (0x30...0x39).contains($0) }
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        return Double(String(decoding: digits, as: UTF8.self))
    }

    private static func stringField(_ key: String, in bytes: [UInt8]) -> String? {
        guard let start = valueStart(key, in: bytes), start < bytes.count, bytes[start] == UInt8(ascii: "\"") else { return nil }
        let body = bytes[(start + 1)...].prefix { $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        guard start + 1 + body.count < bytes.count, bytes[start + 1 + body.count] == UInt8(ascii: "\"") else { return nil }
        return String(decoding: body, as: UTF8.self)
    }

    /// The bytes of each complete `{...}` element of the array under `key`, up to the first
    /// element that is not an object or is cut off.
    private static func arrayObjects(_ key: String, in bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        guard let open = valueStart(key, in: bytes), open < bytes.count, bytes[open] == UInt8(ascii: "[") else { return [] }
        var objects: [ArraySlice<UInt8>] = []
        var i = skipSpaces(bytes, from: open + 1)
        while i < bytes.count, bytes[i] == UInt8(ascii: "{"), let end = matchingBrace(bytes, from: i) {
            objects.append(bytes[i...end])
            i = skipSpaces(bytes, from: end + 1)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ",") else { break }
            i = skipSpaces(bytes, from: i + 1)
        }
        return objects
    }

    /// The index of the `}` closing the object that opens at `start`, skipping strings.
    private static func matchingBrace(_ bytes: [UInt8], from start: Int) -> Int? {
        var depth = 0, inString = false, escaped = false
        for i in start..<bytes.count {
            let b = bytes[i]
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return b == UInt8(ascii: "}") ? i : nil }
                if depth < 0 { return nil }
            default: break
            }
        }
        return nil
    }
}
