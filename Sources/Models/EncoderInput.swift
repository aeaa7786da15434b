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
        guard sequence <= config.maxPositions else {
            throw ModelError.invalidInput(
                "sequence length \(sequence) exceeds the model's max_position_embeddings \(config.maxPositions)")
        }
        for i in 0..<n {
            guard ids[i] >= 0 && Int(ids[i]) < config.vocabSize else {
                throw ModelError.invalidInput("token id \(ids[i]) is outside the vocabulary (size \(config.vocabSize))")
            }
            guard typeIds[i] >= 0 && Int(typeIds[i]) < config.typeVocabSize else {
                throw ModelError.invalidInput("token type id \(typeIds[i]) is outside type_vocab_size \(config.typeVocabSize)")
            }
        }
        self.batch = batch
        self.sequence = sequence
        self.ids = ids
        self.typeIds = typeIds
        self.keep = attentionMask.map { $0 != 0 ? 1 : 0 }
        // BERT: absolute positions 0 ..< T in every row (padding included), as HF's position_ids.
        var positions = [Int32](repeating: 0, count: n)
        for b in 0..<batch { for t in 0..<sequence { positions[b * sequence + t] = Int32(t) } }
        self.positions = positions
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
