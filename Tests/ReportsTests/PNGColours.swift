import Foundation
import SystemKit

/// Counts what a PNG shows, to tell a rendered report from a blank page. Decoding PNG needs
/// zlib, which Foundation does not expose on Linux; python3's standard library has it, so a
/// small decoder runs there (8-bit RGB or RGBA, not interlaced: what Chromium writes).
enum PNGColours {
    struct Stats {
        var distinctColours: Int
        /// Fraction of pixels that are not (near) white.
        var inkFraction: Double
        /// Sampled pixels in the charts' first two series colours (#0072B2 blue, #E69F00 orange).
        var bluePixels: Int
        var orangePixels: Int
    }

    static let script = #"""
    import struct, sys, zlib
    data = open(sys.argv[1], "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and ctype in (2, 6) and interlace == 0, "unsupported PNG layout"
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    prev, colours, ink, total, i = bytearray(stride), set(), 0, 0, 0
    near = lambda px, ref: all(abs(a - b) <= 12 for a, b in zip(px, ref))
    blue = orange = 0
    for y in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        if y % 2 == 0:
            for x in range(0, width, 2):
                px = tuple(line[x * bpp:x * bpp + 3])
                colours.add(px)
                total += 1
                if min(px) < 235: ink += 1
                if near(px, (0, 114, 178)): blue += 1
                if near(px, (230, 159, 0)): orange += 1
    print(len(colours), ink / total, blue, orange)
    """#

    static func stats(of png: URL) throws -> Stats {
        let result = try ProcessRunner.check(["python3", "-", png.path], input: Data(script.utf8), timeout: 300)
        let parts = result.stdout.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard parts.count == 4, let n = Int(parts[0]), let ink = Double(parts[1]),
              let blue = Int(parts[2]), let orange = Int(parts[3]) else {
            throw RuntimeFailure("cannot read PNG statistics from '\(result.stdout)'")
        }
        return Stats(distinctColours: n, inkFraction: ink, bluePixels: blue, orangePixels: orange)
    }
}
