// LineReader (streaming, bounded memory) gives exactly TextLines.split's lines and errors, whatever
// the buffer size — BOMs, CRLF and multi-byte characters cut across buffer boundaries included —
// and refuses a line over its length limit with file:line.

import Foundation
import Testing
@testable import FileIO

@Suite struct LineReaderTests {
    static let cases: [[UInt8]] = [
        [], Array("\n".utf8), Array("\n\n".utf8), Array("a".utf8), Array("a\n".utf8), Array("a\r\nb\r\n".utf8),
        Array("a\r\nb".utf8), Array("\r\n\r\n".utf8), Array("a\rb\n".utf8), [0xEF, 0xBB, 0xBF], [0xEF, 0xBB, 0xBF, 0x0A],
        [0xEF, 0xBB, 0xBF] + Array("héllo\r\nwörld 😀\n\n  \nlast".utf8), [0xEF, 0xBB], [0xEF, 0x0A, 0xBB, 0xBF],
        Array("x\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("y".utf8),  // a BOM after the start is kept
        Array("ok\nba".utf8) + [0xFF] + Array("d\n".utf8), Array("ok\nn".utf8) + [0x00] + Array("ul\n".utf8),
        Array("ok\n".utf8) + [0xE2, 0x82], Array(String(repeating: "abc\r\n", count: 50).utf8),
    ]

    func readAll(_ bytes: [UInt8], bufferSize: Int, maxLineBytes: Int = LineReader.defaultMaxLineBytes) -> Result<[String], FileIOError> {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("linereader-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: url) }
        try! Data(bytes).write(to: url)
        return Result {
            let r = try LineReader(url: url, maxLineBytes: maxLineBytes, bufferSize: bufferSize)
            var lines: [String] = []
            while let l = try r.next() { lines.append(l) }
            return lines
        }.mapError { ($0 as! FileIOError).renamed(from: url.path, to: "in.txt") }
    }

    @Test(arguments: [16, 17, 64, 1 << 16])
    func agreesWithTextLinesSplit(bufferSize: Int) {
        for bytes in Self.cases {
            let expected = Result { try bytes.withUnsafeBytes { try TextLines.split($0, path: "in.txt") } }.mapError { $0 as! FileIOError }
            #expect(readAll(bytes, bufferSize: bufferSize) == expected, "\(bytes)")
        }
    }

    @Test func overLongLinesAreErrorsNamingTheLine() {
        let bytes = Array("short\n\(String(repeating: "x", count: 100))\nafter\n".utf8)
        for size in [16, 64, 4096] {
            #expect(readAll(bytes, bufferSize: size, maxLineBytes: 50) == .failure(.lineTooLong(path: "in.txt", line: 2, limit: 50)))
        }
        // Exactly at the limit, with CRLF, is fine.
        #expect(readAll(Array("\(String(repeating: "y", count: 50))\r\n".utf8), bufferSize: 16, maxLineBytes: 50)
                == .success([String(repeating: "y", count: 50)]))
    }

    @Test func censusCountsAndChecksWithoutHoldingLines() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("census-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("a\n\n \u{3000}\nb".utf8).write(to: url)
        var expected = TextLines.Census()
        expected.lines = 4
        expected.blankLines = 2
        #expect(try TextLines.census(url) == expected)
        try Data([0x61, 0x0A, 0x62, 0x00]).write(to: url)
        #expect(throws: FileIOError.nulByte(path: url.path, line: 2)) { try TextLines.census(url) }
    }
}

extension FileIOError {
    func renamed(from: String, to: String) -> FileIOError {
        switch self {
        case let .invalidUTF8(p, l): return .invalidUTF8(path: p == from ? to : p, line: l)
        case let .nulByte(p, l): return .nulByte(path: p == from ? to : p, line: l)
        case let .lineTooLong(p, l, n): return .lineTooLong(path: p == from ? to : p, line: l, limit: n)
        default: return self
        }
    }
}
