// Reading line-oriented text input (corpora, evaluation sets, stdin) with defined behaviour for
// every kind of hostile input: a UTF-8 BOM at the start is dropped, CRLF and LF both end a line,
// a final line without a newline counts, invalid UTF-8 and NUL bytes are errors naming file:line.

import Foundation

public enum TextLines {
    /// Splits UTF-8 `bytes` into lines; `path` only names the source in errors.
    public static func split(_ bytes: UnsafeRawBufferPointer, path: String) throws -> [String] {
        var lines: [String] = []
        var start = 0
        let n = bytes.count
        if n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        var lineNumber = 1
        var i = start
        while i <= n {
            if i == n || bytes[i] == 0x0A {
                if i == n && i == start { break }  // no empty line after the final newline
                var end = i
                if end > start && bytes[end - 1] == 0x0D { end -= 1 }
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                if slice.contains(0) { throw FileIOError.nulByte(path: path, line: lineNumber) }
                guard let s = validUTF8String(slice) else {
                    throw FileIOError.invalidUTF8(path: path, line: lineNumber)
                }
                lines.append(s)
                lineNumber += 1
                start = i + 1
            }
            i += 1
        }
        return lines
    }

    /// Reads all lines of the file at `url`.
    public static func read(_ url: URL) throws -> [String] {
        let data = try readFile(url)
        return try data.withUnsafeBytes { try split($0, path: url.path) }
    }

    /// Reads a whole file, with errors that name it.
    public static func readFile(_ url: URL) throws -> Data {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw FileIOError.notFound(path: url.path)
        }
        if isDir.boolValue { throw FileIOError.cannotOpen(path: url.path, reason: "is a directory") }
        do {
            return try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw FileIOError.cannotOpen(path: url.path, reason: error.localizedDescription)
        }
    }
}

/// `bytes` as a String if they are valid UTF-8, else nil.
func validUTF8String(_ bytes: UnsafeRawBufferPointer) -> String? {
    if #available(macOS 15, iOS 18, *) {
        return String(validating: bytes, as: UTF8.self)
    }
    return validUTF8StringByDecoding(bytes)
}

/// The same check where String(validating:as:) is missing: decoding repairs invalid sequences
/// with U+FFFD, so valid input is exactly the input that decodes back to the same bytes.
func validUTF8StringByDecoding(_ bytes: UnsafeRawBufferPointer) -> String? {
    let s = String(decoding: bytes, as: UTF8.self)
    return s.utf8.elementsEqual(bytes) ? s : nil
}
