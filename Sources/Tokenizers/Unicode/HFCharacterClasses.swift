// The character classes of the Python `tokenizers` package (Rust), reproduced code point for code
// point.
//
// HF takes general categories from the `unicode_categories` crate 0.1.1, whose tables are
// Unicode 8.0: code points assigned later are "unassigned" there (not control, not punctuation,
// not a mark). Whitespace is Rust's `char::is_whitespace` (the White_Space property) and
// lowercasing is Rust's `char::to_lowercase`, both current Unicode like Swift's stdlib; the `\w`
// of added tokens' single_word test is the `regex` crate's, Unicode 16.0. So:
//   - category tests use Swift's category restricted to code points whose `age` is ≤ 8.0, plus the
//     few code points whose category changed after 8.0, listed below;
//   - whitespace and lowercase use Swift's properties as they are.
// Tests/TokenizersTests/UnicodeClassesTests.swift checks every code point against tables recorded
// from the Python package (Tests/Fixtures/tokenizers/unicode_classes.json).
//
// HF sources: tokenizers/src/normalizers/bert.rs (is_whitespace, is_control, is_chinese_char),
// tokenizers/src/pre_tokenizers/bert.rs (is_bert_punc).

enum HFCharacterClasses {
    // MARK: - Unicode versions

    /// True if `s` was assigned in Unicode `major.minor` or earlier.
    @inline(__always)
    static func existed(_ s: Unicode.Scalar, inUnicode major: Int, _ minor: Int) -> Bool {
        guard let age = s.properties.age else { return false }
        return age.major < major || (age.major == major && age.minor <= minor)
    }

    /// Code points that were punctuation (P*) in Unicode 8.0 but are not now:
    /// U+166D CANADIAN SYLLABICS CHI SIGN (now So), U+111C9 SHARADA SANDHI MARK (now Mn).
    static let punctuationIn8Only: Set<UInt32> = [0x166D, 0x111C9]
    /// Code points that were Mn in Unicode 8.0 but are not now (both now Mc):
    /// U+1734 HANUNOO SIGN PAMUDPOD, U+1171E AHOM CONSONANT SIGN MEDIAL RA.
    static let nonspacingMarkIn8Only: Set<UInt32> = [0x1734, 0x1171E]
    /// Code points that existed in 8.0 and are Mn now but were not Mn then:
    /// U+1885, U+1886 MONGOLIAN LETTER ALI GALI BALUDA/THREE BALUDA (were Lo),
    /// U+A9BD JAVANESE CONSONANT SIGN KERET (was Mc), U+111C9 SHARADA SANDHI MARK (was Po).
    static let nonspacingMarkNotIn8: Set<UInt32> = [0x1885, 0x1886, 0xA9BD, 0x111C9]

    // MARK: - Lookup table for the BMP

    /// Flag bits of `bmpFlags`.
    private static let controlBit: UInt8 = 1, whitespaceBit: UInt8 = 2, punctuationBit: UInt8 = 4,
                       nonspacingMarkBit: UInt8 = 8, lowercaseBit: UInt8 = 16, after9Bit: UInt8 = 32

    /// The classes of every BMP scalar, computed once from the definitions below: Swift's
    /// property lookups dominate encoding time without it.
    private static let bmpFlags: [UInt8] = {
        var flags = [UInt8](repeating: 0, count: 0x10000)
        for v in 0..<UInt32(0x10000) {
            guard let s = Unicode.Scalar(v) else { continue }
            var f: UInt8 = 0
            if computeIsBertControl(s) { f |= controlBit }
            if computeIsWhitespace(s) { f |= whitespaceBit }
            if computeIsBertPunctuation(s) { f |= punctuationBit }
            if computeIsNonspacingMark(s) { f |= nonspacingMarkBit }
            if s.properties.changesWhenLowercased { f |= lowercaseBit }
            if computeIsAssignedAfter9(s) { f |= after9Bit }
            flags[Int(v)] = f
        }
        return flags
    }()

    @inline(__always)
    private static func flag(_ s: Unicode.Scalar, _ bit: UInt8) -> Bool { bmpFlags[Int(s.value)] & bit != 0 }

    /// The BERT normalizer's `is_control`: `isOther` except \t, \n and \r.
    @inline(__always)
    static func isBertControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x10000 ? flag(s, controlBit) : computeIsBertControl(s)
    }

    /// Rust `char::is_whitespace` (see `computeIsWhitespace`).
    @inline(__always)
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x10000 ? flag(s, whitespaceBit) : computeIsWhitespace(s)
    }

    /// The BERT pre-tokenizer's `is_bert_punc` (see `computeIsBertPunctuation`).
    @inline(__always)
    static func isBertPunctuation(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x10000 ? flag(s, punctuationBit) : computeIsBertPunctuation(s)
    }

    /// `is_mark_nonspacing` with Unicode 8.0 tables (see `computeIsNonspacingMark`).
    @inline(__always)
    static func isNonspacingMark(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x10000 ? flag(s, nonspacingMarkBit) : computeIsNonspacingMark(s)
    }

    /// True for a scalar assigned after Unicode 9.0 (unassigned in HF's normalization tables).
    @inline(__always)
    static func isAssignedAfter9(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x10000 ? flag(s, after9Bit) : computeIsAssignedAfter9(s)
    }

    // MARK: - Definitions

    /// Rust `char::is_whitespace`: the White_Space property (\t \n \v \f \r, space, U+0085, U+00A0,
    /// U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
    static func computeIsWhitespace(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return v == 0x20 || (v >= 0x09 && v <= 0x0D) }
        return s.properties.isWhitespace
    }

    /// `unicode_categories::is_other` with Unicode 8.0 tables: Cc, Cf or Co (Cn is not included:
    /// unassigned code points are kept).
    @inline(__always)
    static func isOther(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return v < 0x20 || v == 0x7F }
        switch s.properties.generalCategory {
        case .control, .format, .privateUse: return existed(s, inUnicode: 8, 0)
        default: return false
        }
    }

    /// The BERT normalizer's `is_control`: `isOther` except \t, \n and \r.
    static func computeIsBertControl(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v == 0x09 || v == 0x0A || v == 0x0D { return false }
        return isOther(s)
    }

    /// ASCII punctuation: 33–47, 58–64, 91–96, 123–126 (Rust `char::is_ascii_punctuation`).
    @inline(__always)
    static func isASCIIPunctuation(_ v: UInt32) -> Bool {
        (v >= 33 && v <= 47) || (v >= 58 && v <= 64) || (v >= 91 && v <= 96) || (v >= 123 && v <= 126)
    }

    /// The BERT pre-tokenizer's `is_bert_punc`: ASCII punctuation or Unicode 8.0 category P*.
    static func computeIsBertPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return isASCIIPunctuation(v) }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return existed(s, inUnicode: 8, 0)
        default:
            return punctuationIn8Only.contains(v)
        }
    }

    /// `unicode_categories::is_mark_nonspacing` with Unicode 8.0 tables (Mn).
    static func computeIsNonspacingMark(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x300 { return false }
        if s.properties.generalCategory == .nonspacingMark {
            return existed(s, inUnicode: 8, 0) && !nonspacingMarkNotIn8.contains(v)
        }
        return nonspacingMarkIn8Only.contains(v)
    }

    /// Assigned in Swift's (current) Unicode but not yet in 9.0.
    static func computeIsAssignedAfter9(_ s: Unicode.Scalar) -> Bool {
        s.properties.age != nil && !existed(s, inUnicode: 9, 0)
    }

    /// The BERT normalizer's `is_chinese_char`: the CJK Unified Ideographs blocks exactly as HF
    /// lists them (not Hiragana, Katakana or Hangul).
    @inline(__always)
    static func isChineseCharacter(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// Rust `char::to_lowercase` (full mapping, no context: 'Σ' → 'σ', 'İ' → "i̇"), appended.
    @inline(__always)
    static func appendLowercase(_ s: Unicode.Scalar, to output: inout [Unicode.Scalar]) {
        let v = s.value
        if v < 0x80 {
            output.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 0x20)) : s)
            return
        }
        let changes = v < 0x10000 ? flag(s, lowercaseBit) : s.properties.changesWhenLowercased
        if changes {
            output.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
        } else {
            output.append(s)
        }
    }

    /// The `\w` class of Rust's `regex` crate (Unicode 16.0 tables in tokenizers 0.23): Alphabetic,
    /// marks, decimal digits, connector punctuation and Join_Control. Used by added tokens with
    /// `single_word`.
    static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 {
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
        }
        if v == 0x200C || v == 0x200D { return true }
        let p = s.properties
        var word = p.isAlphabetic
        if !word {
            switch p.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: word = true
            default: word = false
            }
        }
        return word && existed(s, inUnicode: 16, 0)
    }
}
