// A batch of token ids as the encoder consumes it, in a packed layout: the rows (sequences) lie
// one after another, row b occupying tokens offsets[b] ..< offsets[b] + lengths[b] of the id,
// token-type, position and key-mask arrays. A padded (B, T) batch is the case lengths[b] = T with
// the padding present as masked tokens; a packed batch has no padding at all (each row exactly
// its tokens), which is exact for poolings that ignore padding and saves the padded positions'
// compute. Validated against the config (ids in range, rows within the position table) so the
// kernels can index without checks.

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
