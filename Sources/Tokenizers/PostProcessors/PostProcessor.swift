// The last stage: add special tokens around the (already truncated) content.

/// A post-processor (tokenizer.json `post_processor`), single-sequence form.
public protocol PostProcessor: Sendable {
    /// How many tokens `process` adds to a single sequence.
    var addedTokenCount: Int { get }
    /// Wraps `content` (type ids all 0) with the special tokens.
    func process(_ content: Encoding) -> Encoding
    /// A few words for `Tokenizer.kind`, e.g. "[CLS] $A [SEP]".
    var summary: String { get }
}
