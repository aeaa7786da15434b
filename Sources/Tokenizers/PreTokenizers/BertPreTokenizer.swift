// BERT's pre-tokenizer (tokenizers/src/pre_tokenizers/bert.rs): split on White_Space (removed),
// then isolate every punctuation character (ASCII punctuation or Unicode 8.0 P*) as its own word.

/// tokenizer.json `{"type": "BertPreTokenizer"}`.
public struct BertPreTokenizer: PreTokenizer, Equatable {
    public init() {}

    public func split(_ text: [Unicode.Scalar], range: Range<Int>, into words: inout [Range<Int>]) {
        var wordStart = range.lowerBound
        var i = range.lowerBound
        while i < range.upperBound {
            let s = text[i]
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
        if wordStart < range.upperBound { words.append(wordStart..<range.upperBound) }
    }
}
