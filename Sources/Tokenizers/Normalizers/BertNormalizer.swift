// BERT's normalizer, as tokenizers/src/normalizers/bert.rs applies it, in this order:
//   1. clean_text: drop NUL, U+FFFD and control characters (Cc/Cf/Co of Unicode 8.0, except
//      \t \n \r); turn every White_Space character into ' ';
//   2. handle_chinese_chars: put a space on each side of every CJK ideograph;
//   3. strip_accents (null means "same as lowercase"): NFD, then drop nonspacing marks (Mn);
//   4. lowercase: per-character full lowercase mapping.

/// tokenizer.json `{"type": "BertNormalizer", …}`.
public struct BertNormalizer: Normalizer, Equatable {
    public var cleanText: Bool
    public var handleChineseCharacters: Bool
    /// nil: follow `lowercase` (HF and the original BERT).
    public var stripAccents: Bool?
    public var lowercase: Bool

    public init(cleanText: Bool = true, handleChineseCharacters: Bool = true, stripAccents: Bool? = nil,
                lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseCharacters = handleChineseCharacters
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// Whether accents are stripped once `nil` is resolved.
    public var stripsAccents: Bool { stripAccents ?? lowercase }

    public var summary: String {
        var parts = ["BERT normalizer", lowercase ? "lowercase" : "cased"]
        if stripsAccents != lowercase { parts.append(stripsAccents ? "strip accents" : "keep accents") }
        if !handleChineseCharacters { parts.append("no CJK splitting") }
        if !cleanText { parts.append("no text cleaning") }
        return parts.joined(separator: ", ")
    }

    public func normalize(_ input: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar]) {
        // Steps 1 and 2 are per character; 3 needs the whole run (canonical reordering).
        var cleaned: [Unicode.Scalar] = []
        cleaned.reserveCapacity(input.count + 8)
        for s in input {
            if cleanText {
                let v = s.value
                if v == 0 || v == 0xFFFD || HFCharacterClasses.isBertControl(s) { continue }
                if HFCharacterClasses.isWhitespace(s) {
                    cleaned.append(" ")
                    continue
                }
            }
            if handleChineseCharacters && s.value >= 0x3400 && HFCharacterClasses.isChineseCharacter(s) {
                cleaned.append(" ")
                cleaned.append(s)
                cleaned.append(" ")
            } else {
                cleaned.append(s)
            }
        }

        var stripped: [Unicode.Scalar]
        if stripsAccents {
            var decomposed: [Unicode.Scalar] = []
            decomposed.reserveCapacity(cleaned.count + 8)
            HFCanonicalDecomposition.appendNFD(cleaned[...], to: &decomposed)
            stripped = decomposed
            stripped.removeAll(where: { HFCharacterClasses.isNonspacingMark($0) })
        } else {
            stripped = cleaned
        }

        if lowercase {
            output.reserveCapacity(output.count + stripped.count)
            for s in stripped { HFCharacterClasses.appendLowercase(s, to: &output) }
        } else {
            output.append(contentsOf: stripped)
        }
    }
}
