// The tokenizer interface the rest of MirrorBERT codes against.

/// Text → token ids, id-exact with the Python `tokenizers` package.
public protocol Tokenizer: Sendable {
    /// Encodes one text with special tokens; if `maxLength` is given, truncates the content so the
    /// total including special tokens is ≤ maxLength (HF truncation=True, longest_first, right side).
    /// Precondition: `maxLength`, if given, is at least the number of special tokens added (2 for BERT).
    func encode(_ text: String, maxLength: Int?) -> Encoding
    /// The number of ids: one more than the largest id of the model vocabulary or an added token.
    var vocabularySize: Int { get }
    /// The id used to pad batches.
    var padTokenId: Int32 { get }
    /// The mask token string, e.g. "[MASK]".
    var maskToken: String { get }
    /// The unknown token string, e.g. "[UNK]".
    var unknownToken: String { get }
    /// Human-readable description, e.g. "WordPiece (BERT normalizer, lowercase)".
    var kind: String { get }
    /// The id of a token string (model vocabulary or added token), compared scalar by scalar.
    func id(of token: String) -> Int32?
    /// The token string of an id.
    func token(of id: Int32) -> String?
    /// The number of special tokens `encode` adds around the content (2 for [CLS] … [SEP]).
    var specialTokenCount: Int { get }
    /// The maximum length the checkpoint declares (tokenizer.json truncation, else
    /// tokenizer_config.json model_max_length when plausible); nil if none.
    var declaredMaxLength: Int? { get }
}

extension Tokenizer {
    /// Encodes without truncation.
    public func encode(_ text: String) -> Encoding { encode(text, maxLength: nil) }
}
