// Request bodies of Text Embeddings Inference's routes (router/src/http/types.rs), decoded as
// strictly as ours: a wrong type is a validation error naming the field.

import Foundation
import JSON

/// The fields TEI's embedding routes share: `truncate` (default: the server truncates, as TEI's
/// --auto-truncate), `truncation_direction` ("right"; "left" is not supported), `prompt_name`
/// (a key of the model folder's config_sentence_transformers.json `prompts`, checked by the route).
struct TEITruncation {
    var truncate: Bool
    var promptName: String?

    init<K: CodingKey>(_ c: KeyedDecodingContainer<K>, truncate: K, direction: K, promptName: K) throws {
        self.truncate = try decodeOptional(c, truncate, Bool.self, what: "a boolean") ?? true
        let side = try decodeOptional(c, direction, String.self, what: "\"right\" or \"left\"") ?? "right"
        switch side.lowercased() {
        case "right": break
        case "left":
            throw APIError.invalid("truncation_direction \"left\" is not supported; this server truncates on the right",
                                   param: direction.stringValue)
        default:
            throw APIError.invalid("truncation_direction must be \"right\" or \"left\"", param: direction.stringValue)
        }
        self.promptName = try decodeOptional(c, promptName, String.self, what: "a string")
    }
}

/// POST /embed and POST / : {"inputs": string | [string], "normalize"?: bool (true),
/// "dimensions"?: int, "truncate"?: bool, "truncation_direction"?: string, "prompt_name"?: string}
struct TEIEmbedRequest: Decodable {
    var inputs: [String]
    var normalize: Bool
    var dimensions: Int?
    var truncation: TEITruncation

    enum CodingKeys: String, CodingKey { case inputs, normalize, dimensions, truncate, truncation_direction, prompt_name }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.inputs) else { throw APIError.invalid("missing \"inputs\"", param: "inputs") }
        inputs = try decodeTexts(c, .inputs, what: "a string or an array of strings (token ids are not supported)")
        normalize = try decodeOptional(c, .normalize, Bool.self, what: "a boolean") ?? true
        dimensions = try decodeOptional(c, .dimensions, Int.self, what: "an integer")
        truncation = try TEITruncation(c, truncate: .truncate, direction: .truncation_direction, promptName: .prompt_name)
    }
}

/// POST /embed_all: {"inputs": string | [string], "truncate"?, "truncation_direction"?, "prompt_name"?}
struct TEIEmbedAllRequest: Decodable {
    var inputs: [String]
    var truncation: TEITruncation

    enum CodingKeys: String, CodingKey { case inputs, truncate, truncation_direction, prompt_name }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.inputs) else { throw APIError.invalid("missing \"inputs\"", param: "inputs") }
        inputs = try decodeTexts(c, .inputs, what: "a string or an array of strings (token ids are not supported)")
        truncation = try TEITruncation(c, truncate: .truncate, direction: .truncation_direction, promptName: .prompt_name)
    }
}

/// POST /similarity: {"inputs": {"source_sentence": string, "sentences": [string]},
/// "parameters"?: {"truncate"?, "truncation_direction"?, "prompt_name"?}}
struct TEISimilarityRequest: Decodable {
    var source: String
    var sentences: [String]
    var truncation: TEITruncation

    enum CodingKeys: String, CodingKey { case inputs, parameters }
    enum InputKeys: String, CodingKey { case source_sentence, sentences }
    enum ParameterKeys: String, CodingKey { case truncate, truncation_direction, prompt_name }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let inputs = try? c.nestedContainer(keyedBy: InputKeys.self, forKey: .inputs) else {
            throw APIError.invalid("\"inputs\" must be an object {\"source_sentence\": string, \"sentences\": [string]}",
                                   param: "inputs")
        }
        guard let s = try decodeOptional(inputs, .source_sentence, String.self, what: "a string") else {
            throw APIError.invalid("missing \"inputs.source_sentence\"", param: "source_sentence")
        }
        source = s
        guard inputs.contains(.sentences) else { throw APIError.invalid("missing \"inputs.sentences\"", param: "sentences") }
        sentences = try decodeTexts(inputs, .sentences, what: "an array of strings")
        if c.contains(.parameters), !(try c.decodeNil(forKey: .parameters)) {
            guard let p = try? c.nestedContainer(keyedBy: ParameterKeys.self, forKey: .parameters) else {
                throw APIError.invalid("\"parameters\" must be an object", param: "parameters")
            }
            truncation = try TEITruncation(p, truncate: .truncate, direction: .truncation_direction, promptName: .prompt_name)
        } else {
            truncation = TEITruncation.default
        }
    }
}

extension TEITruncation {
    static let `default` = TEITruncation(truncate: true, promptName: nil)
    private init(truncate: Bool, promptName: String?) { self.truncate = truncate; self.promptName = promptName }
}

/// POST /tokenize: {"inputs": string | [string], "add_special_tokens"?: bool (true), "prompt_name"?}
struct TEITokenizeRequest: Decodable {
    var inputs: [String]
    var addSpecialTokens: Bool
    var promptName: String?

    enum CodingKeys: String, CodingKey { case inputs, add_special_tokens, prompt_name, truncate, truncation_direction }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.inputs) else { throw APIError.invalid("missing \"inputs\"", param: "inputs") }
        inputs = try decodeTexts(c, .inputs, what: "a string or an array of strings")
        addSpecialTokens = try decodeOptional(c, .add_special_tokens, Bool.self, what: "a boolean") ?? true
        promptName = try TEITruncation(c, truncate: .truncate, direction: .truncation_direction, promptName: .prompt_name)
            .promptName
    }
}

/// POST /decode: {"ids": [int] | [[int]], "skip_special_tokens"?: bool (true)}
struct TEIDecodeRequest: Decodable {
    var ids: [[Int]]
    var skipSpecialTokens: Bool

    enum CodingKeys: String, CodingKey { case ids, skip_special_tokens }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.ids) else { throw APIError.invalid("missing \"ids\"", param: "ids") }
        if let one = try? c.decode([Int].self, forKey: .ids) {
            ids = [one]
        } else if let many = try? c.decode([[Int]].self, forKey: .ids) {
            guard !many.isEmpty else { throw APIError.invalid("\"ids\" is an empty array", param: "ids", code: "empty_input") }
            ids = many
        } else {
            throw APIError.invalid("\"ids\" must be an array of token ids or an array of such arrays", param: "ids")
        }
        skipSpecialTokens = try decodeOptional(c, .skip_special_tokens, Bool.self, what: "a boolean") ?? true
    }
}
