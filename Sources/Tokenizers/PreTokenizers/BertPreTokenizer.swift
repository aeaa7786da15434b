// BERT's pre-tokenizer (tokenizers/src/pre_tokenizers/bert.rs): split on White_Space (removed),
// then isolate every punctuation character (ASCII punctuation or Unicode 8.0 P*) as its own word.

/// tokenizer.json `{"type": "BertPreTokenizer"}`.
public struct BertPreTokenizer: SplittingPreTokenizer, Equatable {
    public init() {}

    public func split(_ piece: ArraySlice<Unicode.Scalar>, into words: inout [Range<Int>]) {
        var wordStart = piece.startIndex
        var i = piece.startIndex
        while i < piece.endIndex {
            let s = piece[i]
            if HFCharacterClasses.isWhitespace(s) {
                if wordStart < i { words.append(wordStart..<i) }
                wordStart = i + 1
            } else if HFCharacterClasses.isBertPunctuation(s) {
                if wordStart < i { words.append(wordStart..<i) }
                words.append(i..<(i + 1))
                wordStart = i + 1
            }
            i += 1
        }
        if wordStart < piece.endIndex { words.append(wordStart..<piece.endIndex) }
    }
}

/// tokenizer.json `{"type": "WhitespaceSplit"}` (pre_tokenizers/whitespace.rs): split on
/// White_Space (Rust `char::is_whitespace`), which is removed.
public struct WhitespaceSplit: SplittingPreTokenizer, Equatable {
    public init() {}

    public func split(_ piece: ArraySlice<Unicode.Scalar>, into words: inout [Range<Int>]) {
        var wordStart = piece.startIndex
        var i = piece.startIndex
        while i < piece.endIndex {
            if HFCharacterClasses.isWhitespace(piece[i]) {
                if wordStart < i { words.append(wordStart..<i) }
                wordStart = i + 1
            }
            i += 1
        }
        if wordStart < piece.endIndex { words.append(wordStart..<piece.endIndex) }
    }
}
