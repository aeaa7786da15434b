// Streaming line input with bounded memory: a file (or stdin) is read through a fixed buffer with
// read(2), never mapped or loaded whole, so memory does not grow with the file's size. Lines
// follow exactly TextLines.split's rules — a UTF-8 BOM at the very start is dropped, LF and CRLF
// end a line, a final line without a newline counts, no empty line after the last newline — and
// the same errors: invalid UTF-8 or a NUL byte is an error naming file:line. One more rule keeps
// memory bounded: a line longer than `maxLineBytes` is an error naming file:line (a text that long
// is not a sentence; the encoder would truncate it to a few hundred tokens anyway).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

public final class LineReader {
    /// The longest line accepted, in bytes (without its line end).
    public static let defaultMaxLineBytes = 1 << 20

    /// Names the source in errors.
    public let path: String
    public let maxLineBytes: Int
    /// The number of the last line returned (1-based; 0 before the first).
    public private(set) var lineNumber = 0

    private let fd: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8]
    private var start = 0, end = 0
    private var atEOF = false
    private var atStart = true

    /// Opens `url` for reading. Throws `FileIOError.notFound` / `.cannotOpen`.
    public init(url: URL, maxLineBytes: Int = LineReader.defaultMaxLineBytes, bufferSize: Int = 1 << 16) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw FileIOError.notFound(path: url.path)
        }
        if isDir.boolValue { throw FileIOError.cannotOpen(path: url.path, reason: "is a directory") }
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw FileIOError.cannotOpen(path: url.path, reason: errnoString()) }
        self.fd = fd
        ownsDescriptor = true
        path = url.path
        self.maxLineBytes = maxLineBytes
        buffer = [UInt8](repeating: 0, count: max(bufferSize, 16))
    }

    /// Reads from an open descriptor (e.g. 0 for stdin), which it does not close.
    public init(fileDescriptor: Int32, path: String, maxLineBytes: Int = LineReader.defaultMaxLineBytes,
                bufferSize: Int = 1 << 16) {
        fd = fileDescriptor
        ownsDescriptor = false
        self.path = path
        self.maxLineBytes = maxLineBytes
        buffer = [UInt8](repeating: 0, count: max(bufferSize, 16))
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// The next line, or nil at the end of the input.
    public func next() throws -> String? {
        try nextBytes { try decodeLine($0) }
    }

    /// Calls `body` with the next line's bytes (valid only inside `body`; not yet checked for
    /// UTF-8 or NUL), or returns nil at the end of the input.
    public func nextBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        var scanFrom = start
        while true {
            if let nl = buffer[scanFrom..<end].firstIndex(of: 0x0A) {
                lineNumber += 1
                var lineEnd = nl
                if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                guard lineEnd - start <= maxLineBytes else {
                    throw FileIOError.lineTooLong(path: path, line: lineNumber, limit: maxLineBytes)
                }
                let lineStart = start
                start = nl + 1
                return try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[lineStart..<lineEnd])) }
            }
            if atEOF {
                guard start < end else { return nil }
                lineNumber += 1
                var lineEnd = end
                if buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                guard lineEnd - start <= maxLineBytes else {
                    throw FileIOError.lineTooLong(path: path, line: lineNumber, limit: maxLineBytes)
                }
                let lineStart = start
                start = end
                return try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[lineStart..<lineEnd])) }
            }
            // No line end in the buffer: check the length so far, then make room and read more.
            if end - start > maxLineBytes + 1 {
                throw FileIOError.lineTooLong(path: path, line: lineNumber + 1, limit: maxLineBytes)
            }
            let pending = end - start
            if start > 0 {
                buffer.withUnsafeMutableBytes { b in
                    if pending > 0 { memmove(b.baseAddress!, b.baseAddress! + start, pending) }
                }
                start = 0
                end = pending
            }
            if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
            scanFrom = end
            let n = buffer.withUnsafeMutableBytes { b in read(fd, b.baseAddress! + end, b.count - end) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIOError.cannotOpen(path: path, reason: "read failed: \(errnoString())")
            }
            if n == 0 { atEOF = true; continue }
            end += n
            // The BOM is decided once, before any line is returned: when 3 bytes are in, or a line
            // end (which no BOM contains) or the end of the input comes first.
            if atStart && (end >= 3 || buffer[0..<end].contains(0x0A)) {
                atStart = false
                if end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { start = 3; scanFrom = 3 }
            }
        }
    }

    /// A line's bytes as a String, or the error TextLines gives for them.
    func decodeLine(_ bytes: UnsafeRawBufferPointer) throws -> String {
        if bytes.contains(0) { throw FileIOError.nulByte(path: path, line: lineNumber) }
        guard let s = validUTF8String(bytes) else { throw FileIOError.invalidUTF8(path: path, line: lineNumber) }
        return s
    }

    /// Reads every line, calling `body` with each (the file is never held whole).
    public func forEach(_ body: (String) throws -> Void) throws {
        while let line = try next() { try body(line) }
    }

    /// Reads up to `count` lines (fewer only at the end of the input).
    public func next(_ count: Int) throws -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(min(count, 4096))
        while lines.count < count, let line = try next() { lines.append(line) }
        return lines
    }
}

extension TextLines {
    /// What a pass over a file found: its lines and blank (whitespace-only) lines.
    public struct Census: Equatable, Sendable {
        public var lines = 0
        public var blankLines = 0
        public init() {}
    }

    /// Checks every line of `url` (UTF-8, no NUL, not over `maxLineBytes`) with constant memory
    /// and counts lines and blank lines.
    public static func census(_ url: URL, maxLineBytes: Int = LineReader.defaultMaxLineBytes) throws -> Census {
        let reader = try LineReader(url: url, maxLineBytes: maxLineBytes)
        var census = Census()
        while let blank = try reader.nextBytes({ bytes -> Bool in
            if bytes.contains(0) { throw FileIOError.nulByte(path: reader.path, line: reader.lineNumber) }
            guard isValidUTF8(bytes) else { throw FileIOError.invalidUTF8(path: reader.path, line: reader.lineNumber) }
            return isBlankUTF8(bytes)
        }) {
            census.lines += 1
            if blank { census.blankLines += 1 }
        }
        return census
    }
}

/// True if `bytes` are valid UTF-8 (no String is built).
public func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let firstHigh = bytes.firstIndex(where: { $0 >= 0x80 }) else { return true }
    var decoder = UTF8()
    var iterator = bytes[firstHigh...].makeIterator()
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}

/// True if valid UTF-8 `bytes` are empty or only Unicode whitespace (String's `isWhitespace`
/// notion per scalar, as `MirrorCorpus` and `index` use).
public func isBlankUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
    if bytes.allSatisfy({ $0 == 0x20 || (0x09...0x0D).contains($0) }) { return true }
    return String(decoding: bytes, as: UTF8.self).unicodeScalars.allSatisfy { $0.properties.isWhitespace }
}
