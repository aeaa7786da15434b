// The fields of a Hugging Face config.json that the encoder needs, validated: anything the forward
// pass would silently get wrong (an unknown activation, relative position embeddings, a model
// type we don't implement) is an error naming the file.

import Foundation

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

    public static func parse(_ data: Data, path: String) throws -> EncoderConfig {
        guard let object = try? JSONSerialization.jsonObject(with: data),
              let json = object as? [String: Any] else {
            throw ModelError.invalidConfig(path: path, reason: "not a JSON object")
        }
        let reader = JSONFields(json: json, path: path)
        let modelType = try reader.string("model_type")
        guard let family = ModelFamily(rawValue: modelType) else {
            let known = ModelFamily.allCases.map(\.rawValue).joined(separator: ", ")
            throw ModelError.unsupported(path: path, what: "model_type '\(modelType)' (supported: \(known))")
        }
        let act = try reader.string("hidden_act", default: "gelu")
        guard let activation = Activation(rawValue: act) else {
            throw ModelError.unsupported(path: path, what: "hidden_act '\(act)' (supported: gelu, the exact erf form)")
        }
        let posType = try reader.string("position_embedding_type", default: "absolute")
        guard posType == "absolute" else {
            throw ModelError.unsupported(path: path, what: "position_embedding_type '\(posType)' (supported: absolute)")
        }
        if let decoder = json["is_decoder"] as? Bool, decoder {
            throw ModelError.unsupported(path: path, what: "is_decoder true (an encoder is expected)")
        }
        let config = EncoderConfig(
            family: family,
            vocabSize: try reader.positiveInt("vocab_size"),
            hiddenSize: try reader.positiveInt("hidden_size"),
            layers: try reader.positiveInt("num_hidden_layers"),
            heads: try reader.positiveInt("num_attention_heads"),
            intermediateSize: try reader.positiveInt("intermediate_size"),
            activation: activation,
            maxPositions: try reader.positiveInt("max_position_embeddings"),
            typeVocabSize: family.hasTokenTypes ? try reader.positiveInt("type_vocab_size", default: 2) : 0,
            layerNormEps: Float(try reader.double("layer_norm_eps", default: 1e-12)),
            hiddenDropout: Float(try reader.double("hidden_dropout_prob", default: 0.1)),
            attentionDropout: Float(try reader.double("attention_probs_dropout_prob", default: 0.1)),
            padTokenId: try reader.int("pad_token_id", default: family == .bert ? 0 : 1),
            relativeAttentionBuckets: family.hasRelativeAttentionBias
                ? try reader.positiveInt("relative_attention_num_buckets", default: 32) : 0)
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

/// Typed access to JSON fields with errors that name the file and the field.
struct JSONFields {
    let json: [String: Any]
    let path: String

    func string(_ key: String, default fallback: String? = nil) throws -> String {
        guard let value = json[key], !(value is NSNull) else {
            if let fallback { return fallback }
            throw ModelError.invalidConfig(path: path, reason: "missing \"\(key)\"")
        }
        guard let s = value as? String else {
            throw ModelError.invalidConfig(path: path, reason: "\"\(key)\" must be a string")
        }
        return s
    }

    func double(_ key: String, default fallback: Double? = nil) throws -> Double {
        guard let value = json[key], !(value is NSNull) else {
            if let fallback { return fallback }
            throw ModelError.invalidConfig(path: path, reason: "missing \"\(key)\"")
        }
        guard let n = value as? NSNumber, !isJSONBool(n), n.doubleValue.isFinite else {
            throw ModelError.invalidConfig(path: path, reason: "\"\(key)\" must be a number")
        }
        return n.doubleValue
    }

    func int(_ key: String, default fallback: Int? = nil) throws -> Int {
        let d = try double(key, default: fallback.map(Double.init))
        guard d == d.rounded(), abs(d) < 1e15 else {
            throw ModelError.invalidConfig(path: path, reason: "\"\(key)\" must be an integer")
        }
        return Int(d)
    }

    func positiveInt(_ key: String, default fallback: Int? = nil) throws -> Int {
        let v = try int(key, default: fallback)
        guard v > 0 else { throw ModelError.invalidConfig(path: path, reason: "\"\(key)\" must be positive") }
        return v
    }
}

/// True for JSON true/false (JSONSerialization gives NSNumber for both numbers and booleans, and
/// `is Bool` also matches the numbers 0 and 1).
func isJSONBool(_ n: NSNumber) -> Bool {
    String(describing: type(of: n)).contains("Boolean") || String(cString: n.objCType) == "c"
}
