// The one JSON writer of this package: appends JSON text to a byte buffer, in the order it is
// given (JSONEncoder neither keeps key order nor is fast for long float arrays). Streaming calls
// (`key`, `string`, `float`, …) write server responses and index headers; `value(_:)` writes a
// whole `JSONValue` compact or pretty. Floats are written in their shortest round-tripping form,
// so a reader gets back exactly the same Float; non-finite numbers are written as null.
//
// Pretty form: two-space indentation, one member or element per line, except that an array or
// object whose members are all scalars stays on one line ([1, 2, 3], {"a": 1, "b": 2}), which
// keeps vectors and table rows readable. Output ends without a newline; files add one.

public struct JSONWriter {
    public enum Style: Sendable { case compact, pretty }

    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Appends JSON punctuation or any text already in JSON form.
    public mutating func raw(_ s: String) { bytes += s.utf8 }

    /// A string as serde_json and Python's json module write it: `"`, `\` and control characters
    /// escaped (\b \f \n \r \t by name, others as \u00XX); other UTF-8 passes through.
    public mutating func string(_ s: String) {
        bytes.append(0x22)
        var s = s
        s.withUTF8 { utf8 in
            guard let special = utf8.firstIndex(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
                bytes += utf8
                return
            }
            bytes += utf8[..<special]
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            for b in utf8[special...] {
                switch b {
                case 0x22: bytes += [0x5C, 0x22]
                case 0x5C: bytes += [0x5C, 0x5C]
                case 0x08: bytes += [0x5C, UInt8(ascii: "b")]
                case 0x0C: bytes += [0x5C, UInt8(ascii: "f")]
                case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
                case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
                case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
                case 0..<0x20: bytes += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]]
                default: bytes.append(b)
                }
            }
        }
        bytes.append(0x22)
    }

    /// `"key":`
    public mutating func key(_ k: String) { string(k); bytes.append(0x3A) }

    public mutating func int(_ v: Int) { bytes += String(v).utf8 }

    public mutating func bool(_ v: Bool) { bytes += (v ? "true" : "false").utf8 }

    public mutating func null() { bytes += "null".utf8 }

    public mutating func float(_ v: Float) {
        if v.isFinite { bytes += v.description.utf8 } else { null() }
    }

    public mutating func double(_ v: Double) {
        if v.isFinite { bytes += v.description.utf8 } else { null() }
    }

    /// `[v0,v1,…]`
    public mutating func floats(_ values: UnsafeBufferPointer<Float>) {
        bytes.append(0x5B)
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            float(v)
        }
        bytes.append(0x5D)
    }

    /// A whole value.
    public mutating func value(_ v: JSONValue, style: Style = .compact) {
        write(v, style: style, indent: 0)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    // MARK: - Whole values

    private mutating func write(_ v: JSONValue, style: Style, indent: Int) {
        switch v {
        case .null: null()
        case let .bool(b): bool(b)
        case let .number(n): bytes += n.text.utf8
        case let .string(s): string(s)
        case let .array(items):
            if style == .compact || items.allSatisfy(\.isScalar) {
                bytes.append(0x5B)
                for (i, item) in items.enumerated() {
                    if i > 0 { raw(style == .compact ? "," : ", ") }
                    write(item, style: style, indent: indent + 1)
                }
                bytes.append(0x5D)
                return
            }
            raw("[")
            for (i, item) in items.enumerated() {
                raw(i > 0 ? ",\n" : "\n"); pad(indent + 1)
                write(item, style: style, indent: indent + 1)
            }
            raw("\n"); pad(indent); raw("]")
        case let .object(members):
            if style == .compact || members.allSatisfy(\.value.isScalar) {
                bytes.append(0x7B)
                for (i, m) in members.enumerated() {
                    if i > 0 { raw(style == .compact ? "," : ", ") }
                    key(m.key)
                    if style == .pretty { bytes.append(0x20) }
                    write(m.value, style: style, indent: indent + 1)
                }
                bytes.append(0x7D)
                return
            }
            raw("{")
            for (i, m) in members.enumerated() {
                raw(i > 0 ? ",\n" : "\n"); pad(indent + 1)
                key(m.key); bytes.append(0x20)
                write(m.value, style: style, indent: indent + 1)
            }
            raw("\n"); pad(indent); raw("}")
        }
    }

    private mutating func pad(_ level: Int) { bytes += repeatElement(0x20, count: 2 * level) }
}

extension JSONValue {
    /// True for everything but arrays and objects.
    public var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    /// The value as JSON text (compact, or pretty with a final newline for a file).
    public func serialized(_ style: JSONWriter.Style = .compact) -> [UInt8] {
        var w = JSONWriter()
        w.value(self, style: style)
        if style == .pretty { w.raw("\n") }
        return w.bytes
    }
}
