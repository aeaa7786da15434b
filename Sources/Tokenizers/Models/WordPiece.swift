// WordPiece (tokenizers/src/models/wordpiece/mod.rs): a word longer than max_input_chars_per_word
// scalars is one unknown token; otherwise greedy longest-match-first from the left, pieces after
// the first looked up with the continuing-subword prefix ("##"); if any position has no match the
// whole word becomes one unknown token.

/// tokenizer.json `{"type": "WordPiece", …}`.
public struct WordPiece: TokenizationModel {
    let vocabulary: Vocabulary
    public let unknownTokenString: String
    let unknownId: Int32
    public let continuingSubwordPrefix: String
    public let maxInputCharsPerWord: Int
    /// The trie node for the prefix: continuation pieces are walked from here.
    private let continuationNode: Int32?

    /// `vocabulary` in file order. Returns nil if `unknownToken` is not in it.
    init?(vocabulary entries: [(String, Int32)], unknownToken: String, continuingSubwordPrefix: String,
          maxInputCharsPerWord: Int) {
        let vocabulary = Vocabulary(entries: entries)
        guard let unknownId = vocabulary.id(of: unknownToken) else { return nil }
        self.vocabulary = vocabulary
        self.unknownTokenString = unknownToken
        self.unknownId = unknownId
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.continuationNode = vocabulary.trie.walk(continuingSubwordPrefix.unicodeScalars)
    }

    public var vocabularySize: Int { vocabulary.count }
    public var idLimit: Int { vocabulary.idLimit }
    public var unknownToken: String? { unknownTokenString }
    public var summary: String { "WordPiece" }
    public func id(of token: String) -> Int32? { vocabulary.id(of: token) }
    public func token(of id: Int32) -> String? { vocabulary.token(of: id) }

    public func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32]) {
        if word.count > maxInputCharsPerWord {
            ids.append(unknownId)
            return
        }
        let mark = ids.count
        var start = word.startIndex
        while start < word.endIndex {
            let node: Int32?
            if start == word.startIndex { node = ScalarTrie.root } else { node = continuationNode }
            guard let node, let match = vocabulary.trie.longestMatch(in: word, from: start, node: node) else {
                ids.removeSubrange(mark...)
                ids.append(unknownId)
                return
            }
            ids.append(match.value)
            start = match.end
        }
    }
}
