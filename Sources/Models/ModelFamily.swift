// Transformer encoder families. They share the layer code and differ only where the architectures
// really differ:
//   bert                 absolute positions 0..<T, token-type embeddings
//   roberta, xlm-roberta positions padding_idx + 1 + (index among non-pad tokens), pad tokens at
//                        padding_idx (HF create_position_ids_from_input_ids); one token type
//   mpnet                positions as RoBERTa, no token-type embeddings, and a relative position
//                        bias (T5-style buckets) added to every layer's attention scores
// and in their Hugging Face parameter names (FamilyNames).

public enum ModelFamily: String, Sendable, Codable, CaseIterable {
    case bert
    case roberta
    case xlmRoberta = "xlm-roberta"
    case mpnet

    /// Positions count from padding_idx + 1 over non-pad tokens (RoBERTa style).
    public var offsetsPositionsByPadding: Bool { self != .bert }
    public var hasTokenTypes: Bool { self != .mpnet }
    public var hasRelativeAttentionBias: Bool { self == .mpnet }

    /// Prefixes of task/pre-training wrappers stripped from checkpoint names (BertForMaskedLM …).
    var wrapperPrefixes: [String] {
        switch self {
        case .bert: return ["bert."]
        case .roberta, .xlmRoberta: return ["roberta."]
        case .mpnet: return ["mpnet."]
        }
    }

    var names: FamilyNames { self == .mpnet ? .mpnet : .bert }
}

/// The Hugging Face names of one family's parameters, by role.
struct FamilyNames: Sendable {
    let query, key, value: String          // under encoder.layer.<l>.
    let attentionOutput, attentionNorm: String
    let ffnIn, ffnOut, outputNorm: String

    static let bert = FamilyNames(
        query: "attention.self.query", key: "attention.self.key", value: "attention.self.value",
        attentionOutput: "attention.output.dense", attentionNorm: "attention.output.LayerNorm",
        ffnIn: "intermediate.dense", ffnOut: "output.dense", outputNorm: "output.LayerNorm")
    static let mpnet = FamilyNames(
        query: "attention.attn.q", key: "attention.attn.k", value: "attention.attn.v",
        attentionOutput: "attention.attn.o", attentionNorm: "attention.LayerNorm",
        ffnIn: "intermediate.dense", ffnOut: "output.dense", outputNorm: "output.LayerNorm")
}
