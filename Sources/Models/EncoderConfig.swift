// The fields of a Hugging Face config.json that the encoder needs, validated: anything the forward
// pass would silently get wrong (an unknown activation, relative position embeddings, a model
// type we don't implement) is an error naming the file.

import Foundation
import JSON

public enum Activation: String, Sendable, Codable {
    /// Exact erf GELU (HF "gelu").
    case gelu
}

public struct EncoderConfig: Sendable, Equatable {
    public var family: ModelFamily
    public var vocabSize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var activation: Activation
    public var maxPositions: Int
    public var typeVocabSize: Int
    public var layerNormEps: Float
    public var hiddenDropout: Float
    public var attentionDropout: Float
    public var padTokenId: Int
    /// MPNet: buckets of the relative attention bias (0 for other families).
    public var relativeAttentionBuckets: Int

    public var headDim: Int { hiddenSize / heads }

    /// The longest sequence the position table allows (RoBERTa-style positions start after padding_idx).
    public var maxSequenceLength: Int { family.offsetsPositionsByPadding ? maxPositions - padTokenId - 1 : maxPositions }

    public init(family: ModelFamily = .bert, vocabSize: Int, hiddenSize: Int, layers: Int, heads: Int,
                intermediateSize: Int, activation: Activation = .gelu, maxPositions: Int, typeVocabSize: Int,
                layerNormEps: Float = 1e-12, hiddenDropout: Float = 0.1, attentionDropout: Float = 0.1,
                padTokenId: Int = 0, relativeAttentionBuckets: Int = 0) {
        self.family = family; self.vocabSize = vocabSize; self.hiddenSize = hiddenSize; self.layers = layers
        self.heads = heads; self.intermediateSize = intermediateSize; self.activation = activation
        self.maxPositions = maxPositions; self.typeVocabSize = typeVocabSize; self.layerNormEps = layerNormEps
        self.hiddenDropout = hiddenDropout; self.attentionDropout = attentionDropout; self.padTokenId = padTokenId
        self.relativeAttentionBuckets = relativeAttentionBuckets
    }

    /// Parses config.json at `url`.
    public static func load(_ url: URL) throws -> EncoderConfig {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelError.missingFile(path: url.path, what: "config.json (a Hugging Face checkpoint folder has one)")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError.invalidConfig(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try parse(data, path: url.path)
    }

    /// config.json's fields that the encoder reads (null reads as absent: the default).
    private struct Fields: Decodable {
        var model_type: String
        var hidden_act: String?
        var position_embedding_type: String?
        var is_decoder: Bool?
        var vocab_size: Int
        var hidden_size: Int
        var num_hidden_layers: Int
        var num_attention_heads: Int
        var intermediate_size: Int
        var max_position_embeddings: Int
        var type_vocab_size: Int?
        var layer_norm_eps: Double?
        var hidden_dropout_prob: Double?
        var attention_probs_dropout_prob: Double?
        var pad_token_id: Int?
        var relative_attention_num_buckets: Int?
    }

    public static func parse(_ data: Data, path: String) throws -> EncoderConfig {
        let json = try JSONValueDecoder().decode(Fields.self, from: data, maxDepth: 64) {
            ModelError.invalidConfig(path: path, reason: $0)
        }
        guard let family = ModelFamily(rawValue: json.model_type) else {
            let known = ModelFamily.allCases.map(\.rawValue).joined(separator: ", ")
            throw ModelError.unsupported(path: path, what: "model_type '\(json.model_type)' (supported: \(known))")
        }
        let act = json.hidden_act ?? "gelu"
        guard let activation = Activation(rawValue: act) else {
            throw ModelError.unsupported(path: path, what: "hidden_act '\(act)' (supported: gelu, the exact erf form)")
        }
        let posType = json.position_embedding_type ?? "absolute"
        guard posType == "absolute" else {
            throw ModelError.unsupported(path: path, what: "position_embedding_type '\(posType)' (supported: absolute)")
        }
        if json.is_decoder == true {
            throw ModelError.unsupported(path: path, what: "is_decoder true (an encoder is expected)")
        }
        func positive(_ key: String, _ value: Int) throws -> Int {
            guard value > 0 else { throw ModelError.invalidConfig(path: path, reason: "\"\(key)\" must be positive") }
            return value
        }
        let config = EncoderConfig(
            family: family,
            vocabSize: try positive("vocab_size", json.vocab_size),
            hiddenSize: try positive("hidden_size", json.hidden_size),
            layers: try positive("num_hidden_layers", json.num_hidden_layers),
            heads: try positive("num_attention_heads", json.num_attention_heads),
            intermediateSize: try positive("intermediate_size", json.intermediate_size),
            activation: activation,
            maxPositions: try positive("max_position_embeddings", json.max_position_embeddings),
            typeVocabSize: family.hasTokenTypes ? try positive("type_vocab_size", json.type_vocab_size ?? 2) : 0,
            layerNormEps: Float(json.layer_norm_eps ?? 1e-12),
            hiddenDropout: Float(json.hidden_dropout_prob ?? 0.1),
            attentionDropout: Float(json.attention_probs_dropout_prob ?? 0.1),
            padTokenId: json.pad_token_id ?? (family == .bert ? 0 : 1),
            relativeAttentionBuckets: family.hasRelativeAttentionBias
                ? try positive("relative_attention_num_buckets", json.relative_attention_num_buckets ?? 32) : 0)
        // Bounds far above any real checkpoint, so a hostile config cannot make the parameter
        // layout overflow or ask for an allocation without bound (the weights file must then
        // hold every byte before anything that size is allocated).
        for (key, value, limit) in [("vocab_size", config.vocabSize, 1 << 24), ("hidden_size", config.hiddenSize, 1 << 16),
                                    ("num_hidden_layers", config.layers, 1024), ("num_attention_heads", config.heads, 1 << 12),
                                    ("intermediate_size", config.intermediateSize, 1 << 18),
                                    ("max_position_embeddings", config.maxPositions, 1 << 20),
                                    ("type_vocab_size", config.typeVocabSize, 1 << 16),
                                    ("relative_attention_num_buckets", config.relativeAttentionBuckets, 1 << 16)]
        where value > limit {
            throw ModelError.invalidConfig(path: path, reason: "\"\(key)\" \(value) is larger than \(limit)")
        }
        let h = config.hiddenSize, i = config.intermediateSize
        let parameters = (config.vocabSize + config.maxPositions + config.typeVocabSize + 4) * h
            + config.layers * (4 * h * h + 2 * h * i + 9 * h + i + config.relativeAttentionBuckets * config.heads)
        guard parameters <= 1 << 34 else {
            throw ModelError.invalidConfig(path: path, reason: "\(parameters) parameters is more than this tool holds (2^34)")
        }
        for (key, p) in [("hidden_dropout_prob", config.hiddenDropout), ("attention_probs_dropout_prob", config.attentionDropout)]
        where !(p >= 0 && p <= 1) {
            throw ModelError.invalidConfig(path: path, reason: "\"\(key)\" \(p) is not a probability")
        }
        guard config.hiddenSize % config.heads == 0 else {
            throw ModelError.invalidConfig(
                path: path, reason: "hidden_size \(config.hiddenSize) is not a multiple of num_attention_heads \(config.heads)")
        }
        guard config.padTokenId >= 0 && config.padTokenId < config.vocabSize else {
            throw ModelError.invalidConfig(path: path, reason: "pad_token_id \(config.padTokenId) is outside the vocabulary")
        }
        guard config.maxSequenceLength >= 2 else {
            throw ModelError.invalidConfig(path: path, reason: "max_position_embeddings \(config.maxPositions) leaves no room for a sequence")
        }
        if family.hasRelativeAttentionBias && config.relativeAttentionBuckets % 2 != 0 {
            throw ModelError.invalidConfig(path: path, reason: "relative_attention_num_buckets must be even")
        }
        guard config.layerNormEps > 0 else {
            throw ModelError.invalidConfig(path: path, reason: "layer_norm_eps must be positive")
        }
        return config
    }
}
