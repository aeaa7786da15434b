// The one strict RFC 8259 JSON parser of this package, over UTF-8 bytes: tokenizer.json exactly as
// serde_json reads it (no key merging, integer ids never rounded), safetensors headers (whose
// validation needs duplicates and number texts), config.json, our own files and request bodies.
//
// value  = object / array / string / number / true / false / null, surrounded by optional
//          whitespace (space, tab, LF, CR), nothing else after the document's value.
// number = [ "-" ] ( "0" / [1-9] *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ]
// string = quotation mark, valid UTF-8 without control characters, escapes \" \\ \/ \b \f \n \r \t
//          \uXXXX (surrogates only as a high-low pair), quotation mark.
// Nesting of arrays and objects is limited (`maxDepth`), so a document of a million "[" fails with
// an error instead of overflowing the stack.

/// Where and why a JSON document failed to parse.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line and column (columns count characters, not bytes).
    public let line: Int
    public let column: Int
    /// Byte offset in the parsed text.
    public let offset: Int
    public let message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

public enum JSONParser {
    /// The nesting limit readers use unless a format sets its own.
    public static let defaultMaxDepth = 512

    /// Parses one JSON document; arrays and objects may nest at most `maxDepth` deep.
    /// Throws `JSONSyntaxError`.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws -> JSONValue {
        var reader = Reader(bytes: bytes, maxDepth: maxDepth)
        reader.skipWhitespace()
        let value = try reader.parseValue(depth: 0)
        reader.skipWhitespace()
        if reader.position != bytes.count { throw reader.error("unexpected text after the JSON value") }
        return value
    }

    /// Parses a JSON document held in any contiguous bytes (an array, `Data`, …).
    public static func parse<Bytes: Sequence<UInt8>>(_ bytes: Bytes, maxDepth: Int = defaultMaxDepth) throws -> JSONValue {
        if let result = try bytes.withContiguousStorageIfAvailable({ try parse(UnsafeRawBufferPointer($0), maxDepth: maxDepth) }) {
            return result
        }
        return try Array(bytes).withUnsafeBytes { try parse($0, maxDepth: maxDepth) }
    }
}

// MARK: - Reader

private struct Reader {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var position = 0

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) { self.bytes = bytes; self.maxDepth = maxDepth }

    func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let end = min(offset ?? position, bytes.count)
        var line = 1, column = 1
        for i in 0..<end {
            if bytes[i] == UInt8(ascii: "\n") { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
        }
        return JSONSyntaxError(line: line, column: column, offset: end, message: message)
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

    mutating func consume(_ byte: UInt8) -> Bool {
        if position < bytes.count, bytes[position] == byte { position += 1; return true }
        return false
    }

    /// `depth` is the number of arrays and objects around the value.
    mutating func parseValue(depth: Int) throws -> JSONValue {
        guard !atEnd else { throw error("unexpected end of input, expected a value") }
        switch current {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character, expected a value")
        }
    }

    mutating func parseLiteral(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard position + n <= bytes.count,
              UnsafeRawBufferPointer(rebasing: bytes[position..<position + n]).elementsEqual(
                  UnsafeRawBufferPointer(start: word.utf8Start, count: n))
        else { throw error("invalid literal, expected \(word)") }
        position += n
    }

    mutating func parseObject(depth: Int) throws -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        position += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return .object(members) }
        while true {
            skipWhitespace()
            guard !atEnd, current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw error("expected ':' after an object key") }
            skipWhitespace()
            members.append((key, try parseValue(depth: depth)))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { return .object(members) }
            throw error(atEnd ? "unterminated object" : "expected ',' or '}' in an object")
        }
    }

    mutating func parseArray(depth: Int) throws -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { return .array(elements) }
            throw error(atEnd ? "unterminated array" : "expected ',' or ']' in an array")
        }
    }

    mutating func parseNumber() throws -> JSONNumber {
        let start = position
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        _ = consume(UInt8(ascii: "-"))
        guard !atEnd, isDigit(current) else { throw error("invalid number: expected a digit") }
        if current == UInt8(ascii: "0") {
            position += 1
            if !atEnd, isDigit(current) { throw error("invalid number: leading zero") }
        } else {
            while !atEnd && isDigit(current) { position += 1 }
        }
        if consume(UInt8(ascii: ".")) {
            guard !atEnd, isDigit(current) else { throw error("invalid number: expected a digit after '.'") }
            while !atEnd && isDigit(current) { position += 1 }
        }
        if !atEnd && (current == UInt8(ascii: "e") || current == UInt8(ascii: "E")) {
            position += 1
            if !atEnd && (current == UInt8(ascii: "+") || current == UInt8(ascii: "-")) { position += 1 }
            guard !atEnd, isDigit(current) else { throw error("invalid number: expected a digit in the exponent") }
            while !atEnd && isDigit(current) { position += 1 }
        }
        return JSONNumber(text: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
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
            default: throw error("invalid hex digit in a \\u escape")
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
                    throw error("invalid UTF-8 in a string", at: start)
                }
                position = scan + 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("unescaped control character 0x\(String(b, radix: 16)) in a string", at: scan) }
            scan += 1
        }
        // Slow path with escapes.
        var utf8: [UInt8] = []
        utf8.reserveCapacity(scan - position + 16)
        while true {
            guard !atEnd else { throw error("unterminated string", at: start) }
            let b = current
            if b == UInt8(ascii: "\"") { position += 1; break }
            if b < 0x20 { throw error("unescaped control character 0x\(String(b, radix: 16)) in a string") }
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
                          bytes[position + 1] == UInt8(ascii: "u") else { throw error("lone high surrogate in a \\u escape") }
                    position += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid low surrogate in a \\u escape") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(code) {
                    throw error("lone low surrogate in a \\u escape")
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                utf8.append(contentsOf: UTF8.encode(scalar)!)
            default:
                position -= 1
                throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
            }
        }
        guard let s = String(validating: utf8, as: UTF8.self) else { throw error("invalid UTF-8 in a string", at: start) }
        return s
    }
}
