// The first stage of the pipeline: rewrite the text before it is split into words.

/// A text normalizer working on Unicode scalars (tokenizer.json `normalizer`).
public protocol Normalizer: Sendable {
    /// Appends the normalized form of `input` to `output`.
    func normalize(_ input: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar])
    /// A few words for `Tokenizer.kind`, e.g. "BERT normalizer, lowercase".
    var summary: String { get }
}
