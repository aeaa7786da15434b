// The second stage: split normalized text into words, each of which the model tokenizes alone.

/// A pre-tokenizer (tokenizer.json `pre_tokenizer`).
public protocol PreTokenizer: Sendable {
    /// Splits `text[range]` into words, appending their index ranges in `text` to `words`.
    func split(_ text: [Unicode.Scalar], range: Range<Int>, into words: inout [Range<Int>])
}
