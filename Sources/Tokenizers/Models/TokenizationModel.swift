// The third stage: turn one pre-tokenized word into token ids. WordPiece, BPE and Unigram conform
// to this protocol; ComponentFactory.makeModel builds them from tokenizer.json.

/// A tokenization model (tokenizer.json `model`).
public protocol TokenizationModel: Sendable {
    /// The number of distinct token strings in the model's vocabulary.
    var vocabularySize: Int { get }
    /// One more than the largest id in the vocabulary.
    var idLimit: Int { get }
    /// The unknown token, if the model has one.
    var unknownToken: String? { get }
    /// The id of a vocabulary entry, compared scalar by scalar.
    func id(of token: String) -> Int32?
    /// The vocabulary entry with this id.
    func token(of id: Int32) -> String?
    /// Appends the ids of one word.
    func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32])
    /// Appends the ids of one word and the token strings HF reports for them (by default the
    /// vocabulary entries; Unigram's unknown token keeps the text it covers).
    func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32], tokens: inout [String])
    /// A short name for `Tokenizer.kind`, e.g. "WordPiece".
    var summary: String { get }
}

extension TokenizationModel {
    public func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32], tokens: inout [String]) {
        let first = ids.count
        tokenize(word, into: &ids)
        for id in ids[first...] { tokens.append(token(of: id) ?? "") }
    }
}
