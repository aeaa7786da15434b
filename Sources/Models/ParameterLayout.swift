// All parameters of a model live in one contiguous Float block (llm.c style); gradients and the
// AdamW moments reuse the same layout, so zeroing and the optimizer step are single loops.
// Entries are keyed by their Hugging Face state-dict names (BertModel, no "bert." prefix).
// Within a layer the query, key and value weights are adjacent, then the three biases, so the
// Q/K/V projection is one (3H, H) matrix multiply with no copies.

public struct ParameterEntry: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    /// False for parameters the Mirror loss never reaches (the pooler): PyTorch leaves their
    /// gradient None, so AdamW neither decays nor moves them.
    public let trainable: Bool
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

public struct ParameterLayout: Sendable {
    public let entries: [ParameterEntry]
    public let totalCount: Int
    private let index: [String: Int]

    public init(_ specs: [(name: String, shape: [Int], trainable: Bool)]) {
        var entries: [ParameterEntry] = []
        var offset = 0
        for s in specs {
            entries.append(ParameterEntry(name: s.name, shape: s.shape, offset: offset, trainable: s.trainable))
            offset += s.shape.reduce(1, *)
        }
        self.entries = entries
        totalCount = offset
        index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
    }

    public func entry(_ name: String) -> ParameterEntry? { index[name].map { entries[$0] } }

    /// The offset of a parameter the architecture defines (programmer error if absent).
    public func offset(_ name: String) -> Int {
        guard let e = entry(name) else { preconditionFailure("no parameter '\(name)' in layout") }
        return e.offset
    }

    public var hasPooler: Bool { entry("pooler.dense.weight") != nil }

    /// Index ranges of the trainable parameters, merged where adjacent.
    public var trainableRanges: [Range<Int>] {
        var out: [Range<Int>] = []
        for e in entries where e.trainable && e.count > 0 {
            if let last = out.last, last.upperBound == e.offset {
                out[out.count - 1] = last.lowerBound..<e.range.upperBound
            } else {
                out.append(e.range)
            }
        }
        return out
    }

    public var trainableCount: Int { entries.filter(\.trainable).reduce(0) { $0 + $1.count } }

    /// The BERT layout (HF BertModel) for `config`; the pooler only if the checkpoint has one.
    public static func bert(_ c: EncoderConfig, pooler: Bool) -> ParameterLayout {
        let H = c.hiddenSize, I = c.intermediateSize
        var specs: [(String, [Int], Bool)] = [
            ("embeddings.word_embeddings.weight", [c.vocabSize, H], true),
            ("embeddings.position_embeddings.weight", [c.maxPositions, H], true),
            ("embeddings.token_type_embeddings.weight", [c.typeVocabSize, H], true),
            ("embeddings.LayerNorm.weight", [H], true),
            ("embeddings.LayerNorm.bias", [H], true),
        ]
        for l in 0..<c.layers {
            let p = "encoder.layer.\(l)."
            specs += [
                (p + "attention.self.query.weight", [H, H], true),
                (p + "attention.self.key.weight", [H, H], true),
                (p + "attention.self.value.weight", [H, H], true),
                (p + "attention.self.query.bias", [H], true),
                (p + "attention.self.key.bias", [H], true),
                (p + "attention.self.value.bias", [H], true),
                (p + "attention.output.dense.weight", [H, H], true),
                (p + "attention.output.dense.bias", [H], true),
                (p + "attention.output.LayerNorm.weight", [H], true),
                (p + "attention.output.LayerNorm.bias", [H], true),
                (p + "intermediate.dense.weight", [I, H], true),
                (p + "intermediate.dense.bias", [I], true),
                (p + "output.dense.weight", [H, I], true),
                (p + "output.dense.bias", [H], true),
                (p + "output.LayerNorm.weight", [H], true),
                (p + "output.LayerNorm.bias", [H], true),
            ]
        }
        if pooler {
            specs += [("pooler.dense.weight", [H, H], false), ("pooler.dense.bias", [H], false)]
        }
        return ParameterLayout(specs.map { (name: $0.0, shape: $0.1, trainable: $0.2) })
    }
}

/// Offsets of one encoder layer's parameters in the block (the same for gradients and moments).
public struct LayerOffsets: Sendable {
    public let qkvWeight, qkvBias, attnOutWeight, attnOutBias, ln1Weight, ln1Bias: Int
    public let ffnInWeight, ffnInBias, ffnOutWeight, ffnOutBias, ln2Weight, ln2Bias: Int

    init(_ layout: ParameterLayout, layer l: Int) {
        let p = "encoder.layer.\(l)."
        qkvWeight = layout.offset(p + "attention.self.query.weight")
        qkvBias = layout.offset(p + "attention.self.query.bias")
        attnOutWeight = layout.offset(p + "attention.output.dense.weight")
        attnOutBias = layout.offset(p + "attention.output.dense.bias")
        ln1Weight = layout.offset(p + "attention.output.LayerNorm.weight")
        ln1Bias = layout.offset(p + "attention.output.LayerNorm.bias")
        ffnInWeight = layout.offset(p + "intermediate.dense.weight")
        ffnInBias = layout.offset(p + "intermediate.dense.bias")
        ffnOutWeight = layout.offset(p + "output.dense.weight")
        ffnOutBias = layout.offset(p + "output.dense.bias")
        ln2Weight = layout.offset(p + "output.LayerNorm.weight")
        ln2Bias = layout.offset(p + "output.LayerNorm.bias")
        let H = layout.entry(p + "attention.self.query.weight")!.shape[0]
        precondition(layout.offset(p + "attention.self.key.weight") == qkvWeight + H * H
                     && layout.offset(p + "attention.self.value.weight") == qkvWeight + 2 * H * H
                     && layout.offset(p + "attention.self.key.bias") == qkvBias + H
                     && layout.offset(p + "attention.self.value.bias") == qkvBias + 2 * H,
                     "Q/K/V parameters must be adjacent in the layout")
    }
}

/// Offsets of the embedding parameters.
public struct EmbeddingOffsets: Sendable {
    public let word, position, tokenType, lnWeight, lnBias: Int
    init(_ layout: ParameterLayout) {
        word = layout.offset("embeddings.word_embeddings.weight")
        position = layout.offset("embeddings.position_embeddings.weight")
        tokenType = layout.offset("embeddings.token_type_embeddings.weight")
        lnWeight = layout.offset("embeddings.LayerNorm.weight")
        lnBias = layout.offset("embeddings.LayerNorm.bias")
    }
}
