// SentencePiece-style spaces (tokenizers/src/pre_tokenizers/metaspace.rs). For each piece:
//   1. every U+0020 becomes the replacement (U+2581 "▁" by default; other whitespace is kept);
//   2. prepend_scheme: "always" prepends the replacement unless the piece starts with it; "first"
//      does so only for a piece that begins at offset 0 of the original text; "never" does not;
//   3. split: cut before every replacement (SplitDelimiterBehavior::MergedWithNext), so
//      "▁a▁▁b" → "▁a", "▁", "▁b".

/// tokenizer.json `{"type": "Metaspace", "replacement", "prepend_scheme", "split"}`.
public struct Metaspace: PreTokenizer, Equatable {
    public enum PrependScheme: String, Sendable {
        case first, never, always
    }

    public var replacement: Unicode.Scalar
    public var prependScheme: PrependScheme
    public var split: Bool

    public init(replacement: Unicode.Scalar = "\u{2581}", prependScheme: PrependScheme = .always, split: Bool = true) {
        self.replacement = replacement
        self.prependScheme = prependScheme
        self.split = split
    }

    public func preTokenize(_ piece: ArraySlice<Unicode.Scalar>, startsText: Bool, into words: inout PreTokenizedWords) {
        let r = replacement
        let startsWithReplacement = piece.first == " " || piece.first == r
        let prepend: Bool
        switch prependScheme {
        case .always: prepend = !startsWithReplacement
        case .first: prepend = !startsWithReplacement && startsText
        case .never: prepend = false
        }
        var start = words.beginWord()
        var wordIsFirst = true
        if prepend { words.appendScalar(r) }
        for s in piece {
            let mapped = s == " " ? r : s
            if split && mapped == r && words.scalars.count > start {
                words.endWord(from: start, startsText: startsText && wordIsFirst)
                wordIsFirst = false
                start = words.beginWord()
            }
            words.appendScalar(mapped)
        }
        words.endWord(from: start, startsText: startsText && wordIsFirst)
    }
}
