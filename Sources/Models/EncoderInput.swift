// A padded batch of token ids as the encoder consumes it: row-major (B, T) arrays of ids, token
// type ids, position ids and the key mask. Validated against the config (ids in range, T within
// the position table) so the kernels can index without checks.

import Tokenizers

public struct EncoderInput: Sendable {
    public let batch: Int
    public let sequence: Int
    public var ids: [Int32]
    public var typeIds: [Int32]
    public var positions: [Int32]
    /// 1 for real tokens, 0 for padding (the attention mask).
    public var keep: [Int32]

    public var tokens: Int { batch * sequence }

    /// Builds an input; throws if a row is longer than the position table or an id is out of range.
    public init(batch: Int, sequence: Int, ids: [Int32], typeIds: [Int32], attentionMask: [Int32],
                config: EncoderConfig) throws {
        let n = batch * sequence
        guard ids.count == n, typeIds.count == n, attentionMask.count == n else {
            throw ModelError.invalidInput("input arrays must all have batch × sequence = \(n) entries")
        }
        guard sequence <= config.maxSequenceLength else {
            throw ModelError.invalidInput(
                "sequence length \(sequence) exceeds the model's limit of \(config.maxSequenceLength) tokens (max_position_embeddings \(config.maxPositions))")
        }
        for i in 0..<n {
            guard ids[i] >= 0 && Int(ids[i]) < config.vocabSize else {
                throw ModelError.invalidInput("token id \(ids[i]) is outside the vocabulary (size \(config.vocabSize))")
            }
            guard typeIds[i] >= 0 && (Int(typeIds[i]) < config.typeVocabSize || (!config.family.hasTokenTypes && typeIds[i] == 0)) else {
                throw ModelError.invalidInput("token type id \(typeIds[i]) is outside type_vocab_size \(config.typeVocabSize)")
            }
        }
        self.batch = batch
        self.sequence = sequence
        self.ids = ids
        self.typeIds = typeIds
        self.keep = attentionMask.map { $0 != 0 ? 1 : 0 }
        self.positions = Self.positionIds(ids: ids, batch: batch, sequence: sequence, config: config)
    }

    /// BERT: absolute positions 0 ..< T in every row (padding included), as HF's position_ids.
    /// RoBERTa/XLM-R/MPNet (create_position_ids_from_input_ids): a token whose id is not the pad id
    /// gets padding_idx + its 1-based index among such tokens; a pad token gets padding_idx.
    static func positionIds(ids: [Int32], batch: Int, sequence: Int, config: EncoderConfig) -> [Int32] {
        var positions = [Int32](repeating: 0, count: batch * sequence)
        let pad = Int32(config.padTokenId)
        for b in 0..<batch {
            var count: Int32 = 0
            for t in 0..<sequence {
                let i = b * sequence + t
                if !config.family.offsetsPositionsByPadding {
                    positions[i] = Int32(t)
                } else if ids[i] != pad {
                    count += 1
                    positions[i] = pad + count
                } else {
                    positions[i] = pad
                }
            }
        }
        return positions
    }

    /// Real tokens in row b.
    public func length(_ b: Int) -> Int {
        var n = 0
        for t in 0..<sequence where keep[b * sequence + t] != 0 { n += 1 }
        return n
    }
}

extension EncoderInput {
    /// From a padded token batch.
    public init(_ tokens: TokenBatch, config: EncoderConfig) throws {
        try self.init(batch: tokens.batchSize, sequence: tokens.sequenceLength, ids: tokens.ids,
                      typeIds: tokens.typeIds, attentionMask: tokens.attentionMask, config: config)
    }
}
