import Foundation
import Testing
@testable import FileIO

private func lines(_ bytes: [UInt8]) throws -> [String] {
    try bytes.withUnsafeBytes { try TextLines.split($0, path: "in.txt") }
}

private func lines(_ text: String) throws -> [String] { try lines(Array(text.utf8)) }

@Suite struct TextLinesTests {
    @Test func leadingBOMIsDropped() throws {
        #expect(try lines([0xEF, 0xBB, 0xBF] + Array("a\nb\n".utf8)) == ["a", "b"])
        #expect(try lines([0xEF, 0xBB, 0xBF]) == [])
        // Only at the very start: elsewhere U+FEFF is content.
        #expect(try lines("a\n\u{FEFF}b") == ["a", "\u{FEFF}b"])
    }

    @Test func crlfAndLFBothEndLines() throws {
        #expect(try lines("a\r\nb\r\n") == ["a", "b"])
        #expect(try lines("a\nb\r\nc") == ["a", "b", "c"])
        #expect(try lines("a\rb\n") == ["a\rb"])  // a lone CR inside a line is content
    }

    @Test func finalLineWithoutNewlineCounts() throws {
        #expect(try lines("a\nb") == ["a", "b"])
        #expect(try lines("only") == ["only"])
    }

    @Test func emptyInputHasNoLines() throws {
        #expect(try lines("") == [])
    }

    @Test func blankLinesAreKept() throws {
        #expect(try lines("\n") == [""])
        #expect(try lines("a\n\n\nb\n") == ["a", "", "", "b"])
        #expect(try lines("\r\n\r\n") == ["", ""])
        #expect(try lines("a\n\n") == ["a", ""])
    }

    @Test func unicodeIsKept() throws {
        #expect(try lines("naïve café\n😀 中文\r\n") == ["naïve café", "😀 中文"])
    }

    @Test func invalidUTF8NamesTheLine() {
        #expect(throws: FileIOError.invalidUTF8(path: "in.txt", line: 2)) { try lines(Array("ok\nbad".utf8) + [0xFF] + Array("\nok\n".utf8)) }
        #expect(throws: FileIOError.invalidUTF8(path: "in.txt", line: 1)) { try lines([0xEF, 0xBB, 0xBF, 0xC3]) }
        #expect(throws: FileIOError.invalidUTF8(path: "in.txt", line: 3)) { try lines(Array("a\nb\n".utf8) + [0xE2, 0x82]) }  // truncated at EOF
        #expect(throws: FileIOError.invalidUTF8(path: "in.txt", line: 1)) { try lines([0xC0, 0xAF]) }  // overlong "/"
        #expect(throws: FileIOError.invalidUTF8(path: "in.txt", line: 2)) { try lines([0x0A, 0xED, 0xA0, 0x80]) }  // surrogate
    }

    @Test func nulByteNamesTheLine() {
        #expect(throws: FileIOError.nulByte(path: "in.txt", line: 2)) { try lines(Array("a\nb".utf8) + [0] + Array("c\n".utf8)) }
        #expect(throws: FileIOError.nulByte(path: "in.txt", line: 1)) { try lines([0]) }
    }

    @Test func decodingFallbackAgreesWithValidation() {
        let cases: [[UInt8]] = [[], Array("plain".utf8), Array("é😀".utf8), [0xFF], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80],
                                [0xF0, 0x9F, 0x98], [0xF4, 0x90, 0x80, 0x80], Array("ok".utf8) + [0xEF, 0xBF, 0xBD]]
        for c in cases {
            let a = c.withUnsafeBytes { validUTF8String($0) }
            let b = c.withUnsafeBytes { validUTF8StringByDecoding($0) }
            #expect(a == b, "\(c)")
            #expect((a != nil) == (String(bytes: c, encoding: .utf8) != nil), "\(c)")
        }
    }

    @Test func readsFilesAndNamesThemInErrors() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("corpus.txt")
        try Data("one\r\ntwo\n".utf8).write(to: url)
        #expect(try TextLines.read(url) == ["one", "two"])
        try Data([0x61, 0x0A, 0xFF]).write(to: url)
        #expect(throws: FileIOError.invalidUTF8(path: url.path, line: 2)) { try TextLines.read(url) }
        let missing = dir.appendingPathComponent("missing.txt")
        #expect(throws: FileIOError.notFound(path: missing.path)) { try TextLines.read(missing) }
        #expect(throws: FileIOError.cannotOpen(path: dir.path, reason: "is a directory")) { try TextLines.read(dir) }
        let empty = dir.appendingPathComponent("empty.txt")
        try Data().write(to: empty)
        #expect(try TextLines.read(empty) == [])
    }
}
