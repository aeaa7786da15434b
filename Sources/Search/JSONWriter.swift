// A small append-only JSON writer into bytes, for index headers, `search --json` and server
// responses (JSONEncoder neither keeps key order nor is fast for long float arrays). Floats are
// written in their shortest round-tripping form, so a reader gets back exactly the same Float;
// non-finite numbers are written as null.

public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Appends JSON punctuation or any text already in JSON form.
    public mutating func raw(_ s: String) { bytes += s.utf8 }

    public mutating func string(_ s: String) {
        bytes.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: bytes += [0x5C, 0x22]
            case 0x5C: bytes += [0x5C, 0x5C]
            case 0x0A: bytes += [0x5C, 0x6E]
            case 0x0D: bytes += [0x5C, 0x72]
            case 0x09: bytes += [0x5C, 0x74]
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes += [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: bytes.append(b)  // UTF-8 passes through unchanged (JSON allows it)
            }
        }
        bytes.append(0x22)
    }

    /// `"key":`
    public mutating func key(_ k: String) { string(k); bytes.append(0x3A) }

    public mutating func int(_ v: Int) { bytes += String(v).utf8 }

    public mutating func float(_ v: Float) {
        if v.isFinite { bytes += v.description.utf8 } else { bytes += "null".utf8 }
    }

    public mutating func double(_ v: Double) {
        if v.isFinite { bytes += v.description.utf8 } else { bytes += "null".utf8 }
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

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
