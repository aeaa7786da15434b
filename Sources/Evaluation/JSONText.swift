// A minimal JSON writer that keeps object keys in the order given (JSONEncoder does not), for
// reports a person reads. Objects and arrays whose members are all scalars go on one line.
// Non-finite numbers are written as null.

enum JSONText {
    case string(String)
    case number(Double)
    case int(Int)
    case null
    case array([JSONText])
    case object([(String, JSONText)])

    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let close = String(repeating: "  ", count: indent)
        switch self {
        case let .string(s): return Self.quote(s)
        case let .number(d): return d.isFinite ? "\(d)" : "null"
        case let .int(i): return "\(i)"
        case .null: return "null"
        case let .array(items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy(\.isScalar) { return "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]" }
            return "[\n" + items.map { pad + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n" + close + "]"
        case let .object(members):
            if members.isEmpty { return "{}" }
            if members.allSatisfy(\.1.isScalar) {
                return "{" + members.map { Self.quote($0.0) + ": " + $0.1.rendered() }.joined(separator: ", ") + "}"
            }
            return "{\n" + members.map { pad + Self.quote($0.0) + ": " + $0.1.rendered(indent: indent + 1) }
                .joined(separator: ",\n") + "\n" + close + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
