// A small strict JSON (RFC 8259) parser for safetensors headers. Foundation's JSONSerialization
// would hide what validation needs: it drops repeated object keys, turns numbers into Double (so
// 2^64 + 1 or 1.0 look like integers) and recurses without a depth limit. This parser keeps object
// members in order together with their duplicates, keeps every number as its source text, and
// refuses nesting deeper than `maxDepth` (a 100 MB header of "[" must not overflow the stack).

/// A parsed JSON value; objects keep their members in source order, duplicates included.
indirect enum JSONValue: Equatable {
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    /// The number's source text, already checked against the JSON number grammar.
    case number(String)
    case bool(Bool)
    case null

    /// How the value reads in an error message ("an array", "the number 1.5", …).
    var kindName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case let .string(s): return "the string \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case let .number(text): return "the number \(text)"
        case let .bool(b): return b ? "true" : "false"
        case .null: return "null"
        }
    }
}

struct JSONMember: Equatable {
    let key: String
    let value: JSONValue
}

struct JSONSyntaxError: Error, Equatable {
    /// Byte offset in the parsed text.
    let offset: Int
    let reason: String
}

/// The value of a JSON number text if it is a non-negative integer that fits in Int
/// (no sign, fraction or exponent), else nil.
func nonNegativeInt(_ text: String) -> Int? {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
        return nil
    }
    return Int(text)  // nil on overflow
}

struct JSONParser {
    static let maxDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var pos = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Parses exactly one JSON value, with optional whitespace around it. `bytes` must be UTF-8.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var p = JSONParser(bytes)
        p.skipWhitespace()
        let v = try p.value(depth: 1)
        p.skipWhitespace()
        guard p.pos == bytes.count else { throw p.failure("unexpected characters after the JSON value") }
        return v
    }

    // MARK: - Values

    private mutating func value(depth: Int) throws -> JSONValue {
        guard pos < bytes.count else { throw failure("unexpected end of input, expected a value") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: throw failure("unexpected character, expected a value")
        }
    }

    private mutating func object(depth: Int) throws -> JSONValue {
        guard depth <= JSONParser.maxDepth else { throw failure("nesting deeper than \(JSONParser.maxDepth)") }
        pos += 1  // {
        var members: [JSONMember] = []
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return .object(members) }
        while true {
            skipWhitespace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
                throw failure("expected a string key")
            }
            let key = try string()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw failure("expected ':' after an object key") }
            skipWhitespace()
            members.append(JSONMember(key: key, value: try value(depth: depth + 1)))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { return .object(members) }
            throw failure("expected ',' or '}' in an object")
        }
    }

    private mutating func array(depth: Int) throws -> JSONValue {
        guard depth <= JSONParser.maxDepth else { throw failure("nesting deeper than \(JSONParser.maxDepth)") }
        pos += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { return .array(elements) }
            throw failure("expected ',' or ']' in an array")
        }
    }

    /// number = [ "-" ] ( "0" / [1-9] *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ]
    private mutating func number() throws -> String {
        let start = pos
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < bytes.count, isDigit(bytes[pos]) else { throw failure("expected a digit") }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < bytes.count, isDigit(bytes[pos]) { throw failure("leading zero in a number") }
        } else {
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw failure("expected a digit after '.'") }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw failure("expected a digit in the exponent") }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
    }

    private mutating func string() throws -> String {
        pos += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw failure("unterminated string") }
            let b = bytes[pos]
            switch b {
            case UInt8(ascii: "\""):
                pos += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                pos += 1
                guard pos < bytes.count else { throw failure("unterminated escape") }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): out.append(contentsOf: try unicodeEscape())
                default: pos -= 1; throw failure("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
                }
            case 0x00..<0x20:
                throw failure("unescaped control character 0x\(String(b, radix: 16)) in a string")
            default:
                out.append(b)  // the header was checked to be UTF-8 as a whole
                pos += 1
            }
        }
    }

    /// After "\u": four hex digits, or a surrogate pair written as two escapes. Returns UTF-8.
    private mutating func unicodeEscape() throws -> [UInt8] {
        let first = try hex4()
        var scalarValue = first
        if (0xD800...0xDBFF).contains(first) {
            guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                throw failure("lone high surrogate in a \\u escape")
            }
            pos += 2
            let second = try hex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw failure("invalid low surrogate in a \\u escape") }
            scalarValue = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(first) {
            throw failure("lone low surrogate in a \\u escape")
        }
        guard let scalar = Unicode.Scalar(scalarValue) else { throw failure("invalid \\u escape") }
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func hex4() throws -> UInt32 {
        guard pos + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[pos]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw failure("invalid hex digit in a \\u escape")
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }

    // MARK: - Lexing helpers

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard pos + n <= bytes.count,
              UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + n]).elementsEqual(
                  UnsafeRawBufferPointer(start: word.utf8Start, count: n))
        else { throw failure("invalid literal, expected \(word)") }
        pos += n
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        if pos < bytes.count, bytes[pos] == byte { pos += 1; return true }
        return false
    }

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private func failure(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: pos, reason: reason) }
}
