// The tokenizer assembled from its stages, in HF's order (tokenizers/src/tokenizer/mod.rs,
// encode_single_sequence → post_process):
//   1. added tokens with normalized=false are found in the raw text;
//   2. each remaining piece is normalized, then added tokens with normalized=true are found in it;
//   3. each remaining non-empty piece is pre-tokenized into words (which a pre-tokenizer may
//      rewrite: byte-level mapping, "▁" for spaces), each word tokenized by the model;
//   4. the content is truncated to maxLength − (special tokens), then the post-processor adds them.

/// A tokenizer made of a normalizer, pre-tokenizer, model, post-processor and added tokens.
public struct PipelineTokenizer: Tokenizer {
    public let normalizer: (any Normalizer)?
    public let preTokenizer: (any PreTokenizer)?
    public let model: any TokenizationModel
    public let postProcessor: (any PostProcessor)?
    /// All added tokens, in id order.
    public let addedTokens: [AddedToken]
    public let padTokenId: Int32
    public let maskToken: String
    public let declaredMaxLength: Int?

    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher
    private let addedById: [Int32: AddedToken]
    /// Added token content (as scalars) → id, for `id(of:)`.
    private let addedByContent: ScalarTrie

    public init(normalizer: (any Normalizer)?, preTokenizer: (any PreTokenizer)?, model: any TokenizationModel,
                postProcessor: (any PostProcessor)?, addedTokens: [AddedToken], padTokenId: Int32,
                maskToken: String, declaredMaxLength: Int?) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.addedTokens = addedTokens.sorted { $0.id < $1.id }
        self.padTokenId = padTokenId
        self.maskToken = maskToken
        self.declaredMaxLength = declaredMaxLength

        let raw = self.addedTokens.filter { !$0.normalized }
        rawMatcher = AddedTokenMatcher(tokens: raw, patterns: raw.map { Array($0.content.unicodeScalars) })
        let normalized = self.addedTokens.filter { $0.normalized }
        normalizedMatcher = AddedTokenMatcher(tokens: normalized, patterns: normalized.map { token in
            let scalars = Array(token.content.unicodeScalars)
            guard let normalizer else { return scalars }
            var out: [Unicode.Scalar] = []
            normalizer.normalize(scalars[...], into: &out)
            return out
        })
        var byId: [Int32: AddedToken] = [:]
        var byContent = ScalarTrie()
        for token in self.addedTokens {
            byId[token.id] = token
            byContent.insert(token.content.unicodeScalars, value: token.id)
        }
        addedById = byId
        addedByContent = byContent
    }

    // MARK: - Tokenizer

    public var vocabularySize: Int {
        max(model.idLimit, Int(addedTokens.map(\.id).max() ?? -1) + 1)
    }

    /// The model's unknown token; for a model without one (byte-level BPE), a special added "<unk>" or
    /// "[UNK]" if there is one, else "".
    public var unknownToken: String {
        if let token = model.unknownToken { return token }
        return addedTokens.first { $0.special && ($0.content == "<unk>" || $0.content == "[UNK]") }?.content ?? ""
    }
    public var specialTokenCount: Int { postProcessor?.addedTokenCount ?? 0 }

    public var kind: String { TokenizerFamily.kind(of: self) }

    public func id(of token: String) -> Int32? {
        addedByContent.lookup(token.unicodeScalars) ?? model.id(of: token)
    }

    public func token(of id: Int32) -> String? {
        addedById[id]?.content ?? model.token(of: id)
    }

    public func encode(_ text: String, maxLength: Int?) -> Encoding {
        var content = encodeContent(text)
        if let maxLength {
            let room = maxLength - specialTokenCount
            precondition(room >= 0, "encode: maxLength \(maxLength) is below the \(specialTokenCount) special tokens")
            if content.count > room {
                content.ids.removeSubrange(room...)
                content.typeIds.removeSubrange(room...)
                content.tokens.removeSubrange(room...)
            }
        }
        return postProcessor?.process(content) ?? content
    }

    // MARK: - Stages 1–3

    /// The content tokens of `text`, without special tokens and untruncated.
    public func encodeContent(_ text: String) -> Encoding {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int32] = []
        var tokens: [String] = []
        ids.reserveCapacity(scalars.count / 3 + 4)
        tokens.reserveCapacity(scalars.count / 3 + 4)

        var rawSegments: [AddedTokenSegment] = []
        rawMatcher.split(scalars, range: 0..<scalars.count, into: &rawSegments)

        var normalized: [Unicode.Scalar] = []
        var normalizedSegments: [AddedTokenSegment] = []
        var words = PreTokenizedWords()
        for segment in rawSegments {
            switch segment {
            case let .token(index, range):
                appendAdded(rawMatcher.tokens[index], text: scalars[range], ids: &ids, tokens: &tokens)
            case let .text(range):
                if range.isEmpty { continue }
                normalized.removeAll(keepingCapacity: true)
                if let normalizer {
                    normalizer.normalize(scalars[range], into: &normalized)
                } else {
                    normalized.append(contentsOf: scalars[range])
                }
                normalizedSegments.removeAll(keepingCapacity: true)
                normalizedMatcher.split(normalized, range: 0..<normalized.count, into: &normalizedSegments)
                for piece in normalizedSegments {
                    switch piece {
                    case let .token(index, range):
                        appendAdded(normalizedMatcher.tokens[index], text: normalized[range], ids: &ids, tokens: &tokens)
                    case let .text(pieceRange):
                        // HF drops empty splits. A piece begins the text (Metaspace "first") if it starts at
                        // original offset 0: nothing precedes it and the normalizer kept the first scalar.
                        if pieceRange.isEmpty { continue }
                        let startsText = range.lowerBound == 0 && pieceRange.lowerBound == 0
                            && firstScalarSurvivesNormalization(scalars[0])
                        words.removeAll()
                        if let preTokenizer {
                            preTokenizer.preTokenize(normalized[pieceRange], startsText: startsText, into: &words)
                        } else {
                            words.append(normalized[pieceRange], startsText: startsText)
                        }
                        for i in 0..<words.count {
                            model.tokenize(words[i], into: &ids, tokens: &tokens)
                        }
                    }
                }
            }
        }
        return Encoding(ids: ids, typeIds: [Int32](repeating: 0, count: ids.count), tokens: tokens)
    }

    /// Whether normalizing `first` alone leaves something: if the normalizer drops the text's first
    /// scalar, HF's first normalized piece starts at a later original offset.
    private func firstScalarSurvivesNormalization(_ first: Unicode.Scalar) -> Bool {
        guard let normalizer else { return true }
        var out: [Unicode.Scalar] = []
        normalizer.normalize([first][...], into: &out)
        return !out.isEmpty
    }

    /// HF keeps the matched text (with any stripped whitespace) as the token string.
    private func appendAdded(_ token: AddedToken, text: ArraySlice<Unicode.Scalar>, ids: inout [Int32],
                             tokens: inout [String]) {
        ids.append(token.id)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text)
        tokens.append(String(view))
    }
}
