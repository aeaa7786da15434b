// A parsed JSON document (RFC 8259), as every reader in this package sees it.
//
// Objects keep their members in source order as (key, value) pairs, duplicates included, rather
// than a Swift Dictionary: Swift String equality is canonical equivalence, so a dictionary would
// silently merge keys such as "é" (U+00E9) and "e\u{301}" that Python's `tokenizers` keeps apart,
// and safetensors must see a repeated tensor name to refuse it. Numbers keep their source text, so
// 2^64 + 1 is not rounded to 2^64 and 1.0 is not taken for the integer 1.

/// A JSON number as written in the source (already checked against the JSON number grammar).
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number's text, e.g. "-2.5e3".
    public let text: String

    /// `text` must be a JSON number; the parser and the writers guarantee it.
    public init(text: String) { self.text = text }
    public init(_ value: Int) { text = String(value) }
    public init(_ value: UInt64) { text = String(value) }
    /// The shortest text that reads back as the same Float ("0.1", not "0.10000000149011612").
    /// `value` must be finite.
    public init(_ value: Float) { precondition(value.isFinite); text = value.description }
    /// The shortest text that reads back as the same Double. `value` must be finite.
    public init(_ value: Double) { precondition(value.isFinite); text = value.description }

    /// True if the text has no fraction and no exponent.
    public var isIntegerLiteral: Bool { !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } }

    /// The value as a Double (correctly rounded; ±infinity past Double's range).
    public var double: Double { Double(text) ?? .nan }

    /// The value if the text is an integer literal that fits in Int, else nil.
    public var int: Int? { isIntegerLiteral ? Int(text) : nil }

    /// The value if the text is an integer literal that fits in `T`, else nil.
    public func exactInteger<T: FixedWidthInteger>(_: T.Type = T.self) -> T? { isIntegerLiteral ? T(text) : nil }

    /// The value as `T` if it is a whole number that `T` holds exactly: an integer literal, or a
    /// fraction/exponent form such as 1.0 or 2e3 that is integral and within ±2^53.
    public func integral<T: FixedWidthInteger>(_: T.Type = T.self) -> T? {
        if let exact = exactInteger(T.self) { return exact }
        if isIntegerLiteral { return nil }  // an integer literal out of T's range
        let d = double
        guard d.isFinite, d == d.rounded(), abs(d) <= 9_007_199_254_740_992 else { return nil }
        return T(exactly: d)
    }

    public var description: String { text }
}

/// A JSON value with objects as ordered member lists.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// Strings and keys compare scalar by scalar (not by canonical equivalence); numbers by text.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count
                && zip(x, y).allSatisfy { $0.key.unicodeScalars.elementsEqual($1.key.unicodeScalars) && $0.value == $1.value }
        default: return false
        }
    }

    /// The last member named `key` (serde_json and Python keep the last of duplicate keys),
    /// compared scalar by scalar; nil if this is not an object or has no such member.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        for m in members.reversed() where m.key.unicodeScalars.elementsEqual(key.unicodeScalars) { return m.value }
        return nil
    }

    /// A short name of the value's kind, for error messages ("a number").
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value's kind with a short excerpt of scalars, for error messages ("the number 1.5",
    /// "the string \"F32\""); long strings are cut at 40 characters.
    public var excerpt: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case let .string(s): return "the string \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case let .number(n): return "the number \(n.text.count > 40 ? String(n.text.prefix(40)) + "…" : n.text)"
        case let .bool(b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    // MARK: - Building values

    public static func int(_ v: Int) -> JSONValue { .number(JSONNumber(v)) }
    /// A Float written in its shortest round-tripping form; non-finite values become null.
    public static func float(_ v: Float) -> JSONValue { v.isFinite ? .number(JSONNumber(v)) : .null }
    /// A Double written in its shortest round-tripping form; non-finite values become null.
    public static func double(_ v: Double) -> JSONValue { v.isFinite ? .number(JSONNumber(v)) : .null }
}
