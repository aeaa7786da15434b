// A batch of token ids as the encoder consumes it, in a packed layout: the rows (sequences) lie
// one after another, row b occupying tokens offsets[b] ..< offsets[b] + lengths[b] of the id,
// token-type, position and key-mask arrays. A padded (B, T) batch is the case lengths[b] = T with
// the padding present as masked tokens; a packed batch has no padding at all (each row exactly
// its tokens), which is exact for poolings that ignore padding and saves the padded positions'
// compute. Validated against the config (ids in range, rows within the position table) so the
// kernels can index without checks.
//
// Pad queries (for the Mirror-BERT scripts' `mean` over padding, without padding's compute): a row
// of L real tokens that a padded batch would pad to T gets k = min(K, T − L) of its T − L pad
// positions appended as query-only tokens — pad id, type 0, key mask 0 (no token attends to
// them), and the position id the padded row gives that position — at
//   p_i = L + ⌊(2i + 1)(T − L) / 2k⌋,  i = 0 ..< k   (spread evenly over L ..< T),
// each with pooling weight (T − L)/k (real tokens 1), so the weighted mean
//   e = Σ_t w_t h_t / Σ_t w_t,  Σ_t w_t = L + k·(T − L)/k = T,
// estimates the padded row's mean over all T positions; with K ≥ T − L it is that mean (up to
// rounding), since a pad position's hidden state depends only on the row's real tokens and its
// own position id.
// MPNet is the exception: its relative position bias is indexed by slot within the row, not by
// position id, so a pad query at slot L + i is biased as if it were at position L + i rather than
// p_i — an approximation, exact only when k = T − L. The arm is meant for BERT-family models.

import Tokenizers

public struct EncoderInput: Sendable {
    /// Rows (sequences).
    public let batch: Int
    /// The longest row.
    public let sequence: Int
    /// Tokens per row in the layout (padding positions included for a padded batch).
    public let lengths: [Int]
    /// Where each row starts.
    public let offsets: [Int]
    public var ids: [Int32]
    public var typeIds: [Int32]
    public var positions: [Int32]
    /// 1 for real tokens, 0 for padding (the attention mask).
    public var keep: [Int32]
    /// Per-token weights for `mean` pooling; nil means 1 for every token. Set for pad queries.
    public var poolingWeights: [Float]?

    /// Tokens in the layout, Σ lengths.
    public var tokens: Int { ids.count }
    /// True when every row has the same length (a rectangular (B, T) batch).
    public var isRectangular: Bool { lengths.allSatisfy { $0 == sequence } }

    /// A padded (B, T) batch, row-major; throws if T exceeds the position table or an id is out of range.
    public init(batch: Int, sequence: Int, ids: [Int32], typeIds: [Int32], attentionMask: [Int32],
                config: EncoderConfig) throws {
        try self.init(lengths: [Int](repeating: sequence, count: batch), ids: ids, typeIds: typeIds,
                      attentionMask: attentionMask, config: config)
    }

    /// A packed batch: row b is the next `lengths[b]` entries of the arrays.
    public init(lengths: [Int], ids: [Int32], typeIds: [Int32], attentionMask: [Int32], config: EncoderConfig) throws {
        let n = lengths.reduce(0, +)
        guard ids.count == n, typeIds.count == n, attentionMask.count == n else {
            throw ModelError.invalidInput("input arrays must all have \(n) entries (the sum of the row lengths)")
        }
        guard lengths.allSatisfy({ $0 >= 1 }) else { throw ModelError.invalidInput("every row needs at least one token") }
        let longest = lengths.max() ?? 0
        guard longest <= config.maxSequenceLength else {
            throw ModelError.invalidInput(
                "sequence length \(longest) exceeds the model's limit of \(config.maxSequenceLength) tokens (max_position_embeddings \(config.maxPositions))")
        }
        for i in 0..<n {
            guard ids[i] >= 0 && Int(ids[i]) < config.vocabSize else {
                throw ModelError.invalidInput("token id \(ids[i]) is outside the vocabulary (size \(config.vocabSize))")
            }
            guard typeIds[i] >= 0 && (Int(typeIds[i]) < config.typeVocabSize || (!config.family.hasTokenTypes && typeIds[i] == 0)) else {
                throw ModelError.invalidInput("token type id \(typeIds[i]) is outside type_vocab_size \(config.typeVocabSize)")
            }
        }
        batch = lengths.count
        sequence = longest
        self.lengths = lengths
        var offsets = [Int](repeating: 0, count: lengths.count)
        for b in 1..<max(1, lengths.count) { offsets[b] = offsets[b - 1] + lengths[b - 1] }
        self.offsets = offsets
        self.ids = ids
        self.typeIds = typeIds
        self.keep = attentionMask.map { $0 != 0 ? 1 : 0 }
        self.positions = Self.positionIds(ids: ids, lengths: lengths, config: config)
    }

    /// BERT: absolute positions 0 ..< T in every row (padding included), as HF's position_ids.
    /// RoBERTa/XLM-R/MPNet (create_position_ids_from_input_ids): a token whose id is not the pad id
    /// gets padding_idx + its 1-based index among such tokens; a pad token gets padding_idx.
    static func positionIds(ids: [Int32], lengths: [Int], config: EncoderConfig) -> [Int32] {
        var positions = [Int32](repeating: 0, count: ids.count)
        let pad = Int32(config.padTokenId)
        var i = 0
        for length in lengths {
            var count: Int32 = 0
            for t in 0..<length {
                if !config.family.offsetsPositionsByPadding {
                    positions[i] = Int32(t)
                } else if ids[i] != pad {
                    count += 1
                    positions[i] = pad + count
                } else {
                    positions[i] = pad
                }
                i += 1
            }
        }
        return positions
    }

    /// Real (unmasked) tokens in row b.
    public func realLength(_ b: Int) -> Int {
        var n = 0
        for t in offsets[b]..<(offsets[b] + lengths[b]) where keep[t] != 0 { n += 1 }
        return n
    }
}

extension EncoderInput {
    /// From a padded token batch (padding kept as masked tokens).
    public init(_ tokens: TokenBatch, config: EncoderConfig) throws {
        try self.init(batch: tokens.batchSize, sequence: tokens.sequenceLength, ids: tokens.ids,
                      typeIds: tokens.typeIds, attentionMask: tokens.attentionMask, config: config)
    }

    /// Packed, no padding: row b is exactly encodings[b]'s tokens.
    public init(packing encodings: [Encoding], config: EncoderConfig) throws {
        try self.init(lengths: encodings.map(\.ids.count), ids: encodings.flatMap(\.ids),
                      typeIds: encodings.flatMap(\.typeIds),
                      attentionMask: [Int32](repeating: 1, count: encodings.reduce(0) { $0 + $1.ids.count }),
                      config: config)
    }

    /// Packed with at most `padQueries` (K ≥ 1) pad queries per row (see the header): row b is
    /// encodings[b]'s L tokens, then k = min(K, T − L) of the positions L ..< T a batch padded to
    /// `paddedLength` T would give it, weighted (T − L)/k for `mean` pooling.
    public init(packing encodings: [Encoding], padQueries K: Int, paddedLength T: Int, padTokenId: Int32,
                config: EncoderConfig) throws {
        precondition(K >= 1, "at least one pad query per row")
        guard T <= config.maxSequenceLength else {
            throw ModelError.invalidInput(
                "padded length \(T) exceeds the model's limit of \(config.maxSequenceLength) tokens (max_position_embeddings \(config.maxPositions))")
        }
        var lengths: [Int] = [], ids: [Int32] = [], typeIds: [Int32] = [], keep: [Int32] = []
        var positions: [Int32] = [], weights: [Float] = []
        for e in encodings {
            let L = e.ids.count
            guard L >= 1 && L <= T else {
                throw ModelError.invalidInput("a row of \(L) tokens cannot be padded to \(T) (1 ... \(T) tokens required)")
            }
            // The positions of the padded row, real tokens and padding alike.
            let padded = Self.positionIds(ids: e.ids + [Int32](repeating: padTokenId, count: T - L), lengths: [T], config: config)
            let slots = Self.padQuerySlots(realLength: L, paddedLength: T, count: min(K, T - L))
            ids += e.ids
            typeIds += e.typeIds
            keep += [Int32](repeating: 1, count: L)
            positions += padded[0..<L]
            weights += [Float](repeating: 1, count: L)
            let w = slots.isEmpty ? 0 : Float(T - L) / Float(slots.count)
            for p in slots {
                ids.append(padTokenId); typeIds.append(0); keep.append(0)
                positions.append(padded[p]); weights.append(w)
            }
            lengths.append(L + slots.count)
        }
        try self.init(lengths: lengths, ids: ids, typeIds: typeIds, attentionMask: keep, config: config)
        self.positions = positions
        poolingWeights = weights
    }

    /// The padded positions a row of `realLength` L keeps as `count` k pad queries:
    /// L + ⌊(2i + 1)(T − L) / 2k⌋ for i in 0 ..< k (the midpoints of k equal parts of L ..< T).
    static func padQuerySlots(realLength L: Int, paddedLength T: Int, count k: Int) -> [Int] {
        precondition(k >= 0 && k <= T - L, "at most one pad query per pad position")
        return (0..<k).map { i in L + (2 * i + 1) * (T - L) / (2 * k) }
    }

    /// Padded to `length` tokens per row (`nil`: to the longest), or packed without padding when
    /// `packed` — the layouts a pooling that ignores padding may use interchangeably.
    public init(_ encodings: [Encoding], padTo length: Int?, packed: Bool, padTokenId: Int32, config: EncoderConfig) throws {
        if packed {
            try self.init(packing: encodings, config: config)
        } else {
            let batch = TokenBatch(encodings, padding: length.map { .fixed($0) } ?? .longest, padTokenId: padTokenId)
            try self.init(batch, config: config)
        }
    }
}
