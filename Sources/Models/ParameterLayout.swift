// All parameters of a model live in one contiguous Float block (llm.c style); gradients and the
// AdamW moments reuse the same layout, so zeroing and the optimizer step are single loops.
// Entries are keyed by their Hugging Face state-dict names (BertModel, RobertaModel, MPNetModel …,
// without the "bert."/"roberta."/"mpnet." prefix of task wrappers).
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

    /// The layout of `config`'s family (HF BertModel / RobertaModel / XLMRobertaModel / MPNetModel
    /// state-dict names); the pooler only if the checkpoint has one.
    public static func make(_ c: EncoderConfig, pooler: Bool) -> ParameterLayout {
        let H = c.hiddenSize, I = c.intermediateSize, n = c.family.names
        var specs: [(String, [Int], Bool)] = [
            ("embeddings.word_embeddings.weight", [c.vocabSize, H], true),
            ("embeddings.position_embeddings.weight", [c.maxPositions, H], true),
        ]
        if c.family.hasTokenTypes { specs.append(("embeddings.token_type_embeddings.weight", [c.typeVocabSize, H], true)) }
        specs += [("embeddings.LayerNorm.weight", [H], true), ("embeddings.LayerNorm.bias", [H], true)]
        if c.family.hasRelativeAttentionBias {
            specs.append(("encoder.relative_attention_bias.weight", [c.relativeAttentionBuckets, c.heads], true))
        }
        for l in 0..<c.layers {
            let p = "encoder.layer.\(l)."
            specs += [
                (p + n.query + ".weight", [H, H], true),
                (p + n.key + ".weight", [H, H], true),
                (p + n.value + ".weight", [H, H], true),
                (p + n.query + ".bias", [H], true),
                (p + n.key + ".bias", [H], true),
                (p + n.value + ".bias", [H], true),
                (p + n.attentionOutput + ".weight", [H, H], true),
                (p + n.attentionOutput + ".bias", [H], true),
                (p + n.attentionNorm + ".weight", [H], true),
                (p + n.attentionNorm + ".bias", [H], true),
                (p + n.ffnIn + ".weight", [I, H], true),
                (p + n.ffnIn + ".bias", [I], true),
                (p + n.ffnOut + ".weight", [H, I], true),
                (p + n.ffnOut + ".bias", [H], true),
                (p + n.outputNorm + ".weight", [H], true),
                (p + n.outputNorm + ".bias", [H], true),
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

    init(_ layout: ParameterLayout, names n: FamilyNames, layer l: Int) {
        let p = "encoder.layer.\(l)."
        qkvWeight = layout.offset(p + n.query + ".weight")
        qkvBias = layout.offset(p + n.query + ".bias")
        attnOutWeight = layout.offset(p + n.attentionOutput + ".weight")
        attnOutBias = layout.offset(p + n.attentionOutput + ".bias")
        ln1Weight = layout.offset(p + n.attentionNorm + ".weight")
        ln1Bias = layout.offset(p + n.attentionNorm + ".bias")
        ffnInWeight = layout.offset(p + n.ffnIn + ".weight")
        ffnInBias = layout.offset(p + n.ffnIn + ".bias")
        ffnOutWeight = layout.offset(p + n.ffnOut + ".weight")
        ffnOutBias = layout.offset(p + n.ffnOut + ".bias")
        ln2Weight = layout.offset(p + n.outputNorm + ".weight")
        ln2Bias = layout.offset(p + n.outputNorm + ".bias")
        let H = layout.entry(p + n.query + ".weight")!.shape[0]
        precondition(layout.offset(p + n.key + ".weight") == qkvWeight + H * H
                     && layout.offset(p + n.value + ".weight") == qkvWeight + 2 * H * H
                     && layout.offset(p + n.key + ".bias") == qkvBias + H
                     && layout.offset(p + n.value + ".bias") == qkvBias + 2 * H,
                     "Q/K/V parameters must be adjacent in the layout")
    }
}

/// Offsets of the embedding parameters (and MPNet's shared relative attention bias).
public struct EmbeddingOffsets: Sendable {
    public let word, position, lnWeight, lnBias: Int
    public let tokenType: Int?
    public let relativeBias: Int?
    init(_ layout: ParameterLayout) {
        word = layout.offset("embeddings.word_embeddings.weight")
        position = layout.offset("embeddings.position_embeddings.weight")
        tokenType = layout.entry("embeddings.token_type_embeddings.weight")?.offset
        lnWeight = layout.offset("embeddings.LayerNorm.weight")
        lnBias = layout.offset("embeddings.LayerNorm.bias")
        relativeBias = layout.entry("encoder.relative_attention_bias.weight")?.offset
    }
}
