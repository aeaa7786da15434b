// A parsed JSON document. Objects keep their members in file order as (key, value) pairs rather
// than a Swift Dictionary: Swift String equality is canonical equivalence, so a dictionary would
// silently merge vocabulary entries such as "é" (U+00E9) and "e\u{301}" that the Python
// `tokenizers` package keeps apart.

/// A JSON value with objects as ordered member lists.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// Any number; `integer` is set when the literal had no fraction or exponent and fits Int.
    case number(Double, integer: Int?)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x, ix), .number(y, iy)): return x == y && ix == iy
        case let (.string(x), .string(y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count
                && zip(x, y).allSatisfy { $0.0.unicodeScalars.elementsEqual($1.0.unicodeScalars) && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The last member named `key` (serde_json keeps the last of duplicate keys), compared
    /// scalar by scalar; nil if this is not an object or has no such member.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        for (k, v) in members.reversed() where k.unicodeScalars.elementsEqual(key.unicodeScalars) { return v }
        return nil
    }

    /// A short name of the value's kind, for error messages.
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
}
