// A strict RFC 8259 JSON parser over UTF-8 bytes. It exists so that tokenizer files are read
// exactly as serde_json reads them (no key merging, no number rounding of integer ids) and so
// that a syntax error can name the line and column.

/// Where and why a JSON document failed to parse.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

public enum JSONParser {
    /// Parses one JSON document (surrounding whitespace allowed, nothing else after it).
    /// Throws `JSONSyntaxError`.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var reader = Reader(bytes: bytes)
        reader.skipWhitespace()
        let value = try reader.parseValue(depth: 0)
        reader.skipWhitespace()
        if reader.position != bytes.count { throw reader.error("unexpected text after the JSON value") }
        return value
    }

    /// Parses a JSON document held in an array of bytes.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBytes { buffer in try parse(buffer) }
    }
}

// MARK: - Reader

private struct Reader {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    static let maxDepth = 512

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let end = min(offset ?? position, bytes.count)
        var line = 1, column = 1
        for i in 0..<end {
            if bytes[i] == UInt8(ascii: "\n") { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
        }
        return JSONSyntaxError(line: line, column: column, message: message)
    }

    var atEnd: Bool { position >= bytes.count }
    var current: UInt8 { bytes[position] }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws {
        guard !atEnd, current == byte else { throw error("expected \(what)") }
        position += 1
    }

    mutating func parseValue(depth: Int) throws -> JSONValue {
        guard !atEnd else { throw error("unexpected end of input") }
        guard depth < Reader.maxDepth else { throw error("nesting deeper than \(Reader.maxDepth)") }
        switch current {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character")
        }
    }

    mutating func parseLiteral(_ word: String) throws {
        let w = Array(word.utf8)
        guard position + w.count <= bytes.count, (0..<w.count).allSatisfy({ bytes[position + $0] == w[$0] }) else {
            throw error("invalid literal")
        }
        position += w.count
    }

    mutating func parseObject(depth: Int) throws -> JSONValue {
        position += 1  // {
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if !atEnd && current == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard !atEnd, current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            members.append((key, value))
            skipWhitespace()
            guard !atEnd else { throw error("unterminated object") }
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }

    mutating func parseArray(depth: Int) throws -> JSONValue {
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if !atEnd && current == UInt8(ascii: "]") { position += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard !atEnd else { throw error("unterminated array") }
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "]") { position += 1; return .array(elements) }
            throw error("expected ',' or ']'")
        }
    }

    mutating func parseNumber() throws -> JSONValue {
        let start = position
        var isInteger = true
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if current == UInt8(ascii: "-") { position += 1 }
        guard !atEnd, isDigit(current) else { throw error("invalid number") }
        if current == UInt8(ascii: "0") {
            position += 1
        } else {
            while !atEnd && isDigit(current) { position += 1 }
        }
        if !atEnd && current == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard !atEnd, isDigit(current) else { throw error("invalid number") }
            while !atEnd && isDigit(current) { position += 1 }
        }
        if !atEnd && (current == UInt8(ascii: "e") || current == UInt8(ascii: "E")) {
            isInteger = false
            position += 1
            if !atEnd && (current == UInt8(ascii: "+") || current == UInt8(ascii: "-")) { position += 1 }
            guard !atEnd, isDigit(current) else { throw error("invalid number") }
            while !atEnd && isDigit(current) { position += 1 }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text) else { throw error("invalid number", at: start) }
        return .number(value, integer: isInteger ? Int(text) : nil)
    }

    mutating func parseHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = current
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            position += 1
        }
        return v
    }

    mutating func parseString() throws -> String {
        let start = position
        position += 1  // opening quote
        // Fast path: no escapes.
        var scan = position
        while scan < bytes.count {
            let b = bytes[scan]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<scan])
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string", at: start)
                }
                position = scan + 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character in string", at: scan) }
            scan += 1
        }
        // Slow path with escapes.
        var utf8: [UInt8] = []
        utf8.reserveCapacity(scan - position + 16)
        while true {
            guard !atEnd else { throw error("unterminated string", at: start) }
            let b = current
            if b == UInt8(ascii: "\"") { position += 1; break }
            if b < 0x20 { throw error("control character in string") }
            if b != UInt8(ascii: "\\") { utf8.append(b); position += 1; continue }
            position += 1
            guard !atEnd else { throw error("unterminated string", at: start) }
            let e = current
            position += 1
            switch e {
            case UInt8(ascii: "\""): utf8.append(0x22)
            case UInt8(ascii: "\\"): utf8.append(0x5C)
            case UInt8(ascii: "/"): utf8.append(0x2F)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard position + 6 <= bytes.count, current == UInt8(ascii: "\\"),
                          bytes[position + 1] == UInt8(ascii: "u") else { throw error("lone leading surrogate") }
                    position += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid surrogate pair") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(code) {
                    throw error("lone trailing surrogate")
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                utf8.append(contentsOf: UTF8.encode(scalar)!)
            default:
                throw error("invalid escape")
            }
        }
        guard let s = String(validating: utf8, as: UTF8.self) else { throw error("invalid UTF-8 in string", at: start) }
        return s
    }
}
