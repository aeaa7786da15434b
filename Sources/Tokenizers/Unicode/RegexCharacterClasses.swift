// The character classes of the regular expressions HF runs through Oniguruma (the `onig` crate in
// the Python package): `\p{L}`, `\p{N}` and `\s` as used by the GPT-2 split pattern.
//
// Probed code point by code point from tokenizers 0.23.3 (Tests/Fixtures/tokenizers/regex_classes.json):
//   - `\p{L}` / `\p{N}` are the general categories L* / N* of Unicode 16.0 (Swift's tables are newer,
//     so code points assigned after 16.0 are excluded; no category changed between 16.0 and Swift's);
//   - `\s` is the White_Space property, the same set as Rust's `char::is_whitespace`.
// Tests/TokenizersTests/RegexClassesTests.swift checks every code point against the fixture.

enum RegexCharacterClasses {
    /// The class of a scalar for the GPT-2 pattern.
    enum Kind: UInt8 {
        case letter = 0, number = 1, whitespace = 2, other = 3
    }

    /// The kind of every BMP scalar, computed once.
    private static let bmpKinds: [UInt8] = {
        var kinds = [UInt8](repeating: Kind.other.rawValue, count: 0x10000)
        for v in 0..<UInt32(0x10000) {
            guard let s = Unicode.Scalar(v) else { continue }
            kinds[Int(v)] = computeKind(s).rawValue
        }
        return kinds
    }()

    @inline(__always)
    static func kind(_ s: Unicode.Scalar) -> Kind {
        let v = s.value
        if v < 0x80 {
            if (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) { return .letter }
            if v >= 0x30 && v <= 0x39 { return .number }
            if v == 0x20 || (v >= 0x09 && v <= 0x0D) { return .whitespace }
            return .other
        }
        if v < 0x10000 { return Kind(rawValue: bmpKinds[Int(v)])! }
        return computeKind(s)
    }

    static func computeKind(_ s: Unicode.Scalar) -> Kind {
        if HFCharacterClasses.computeIsWhitespace(s) { return .whitespace }
        let p = s.properties
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return HFCharacterClasses.existed(s, inUnicode: 16, 0) ? .letter : .other
        case .decimalNumber, .letterNumber, .otherNumber:
            return HFCharacterClasses.existed(s, inUnicode: 16, 0) ? .number : .other
        default:
            return .other
        }
    }
}
