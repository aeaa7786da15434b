// Request bodies of the JSON API, decoded strictly: wrong types and missing fields are 400s whose
// message names the field; the limits on text count and length are checked here too.

import Foundation
import JSON

/// POST /v1/embeddings (OpenAI): {"input": string | [string], "model"?: string,
/// "encoding_format"?: "float" | "base64", "dimensions"?: int, "user"?: string}
struct EmbeddingsRequest: Decodable {
    enum EncodingFormat: String { case float, base64 }
    var input: [String]
    var model: String?
    var encodingFormat: EncodingFormat
    var dimensions: Int?

    enum CodingKeys: String, CodingKey { case input, model, encoding_format, dimensions }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.input) else { throw APIError.invalid("missing \"input\"", param: "input") }
        input = try decodeTexts(c, .input, what: "a string or an array of strings (token arrays are not supported)")
        model = try decodeOptional(c, .model, String.self, what: "a string")
        let format = try decodeOptional(c, .encoding_format, String.self, what: "\"float\" or \"base64\"") ?? "float"
        guard let f = EncodingFormat(rawValue: format) else {
            throw APIError.invalid("encoding_format must be \"float\" or \"base64\" (got \"\(echoed(format))\")", param: "encoding_format")
        }
        encodingFormat = f
        dimensions = try decodeOptional(c, .dimensions, Int.self, what: "an integer")
    }
}

/// POST /v1/similarity: {"pairs": [[string, string], …], "model"?: string}
struct SimilarityRequest: Decodable {
    var pairs: [(String, String)]
    var model: String?

    enum CodingKeys: String, CodingKey { case pairs, model }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.pairs) else { throw APIError.invalid("missing \"pairs\"", param: "pairs") }
        let raw = try decodeOptional(c, .pairs, [[String]].self, what: "an array of [string, string] pairs") ?? []
        pairs = try raw.enumerated().map { i, p in
            guard p.count == 2 else {
                throw APIError.invalid("pairs[\(i)] has \(p.count) strings; each pair must have exactly 2", param: "pairs")
            }
            return (p[0], p[1])
        }
        guard !pairs.isEmpty else { throw APIError.invalid("\"pairs\" is empty", param: "pairs") }
        model = try decodeOptional(c, .model, String.self, what: "a string")
    }
}

/// POST /v1/search: {"query": string | [string], "k"?: int (default 10), "model"?: string}
struct SearchRequest: Decodable {
    var queries: [String]
    var k: Int
    var model: String?

    enum CodingKeys: String, CodingKey { case query, k, model }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.query) else { throw APIError.invalid("missing \"query\"", param: "query") }
        queries = try decodeTexts(c, .query, what: "a string or an array of strings")
        k = try decodeOptional(c, .k, Int.self, what: "an integer") ?? 10
        model = try decodeOptional(c, .model, String.self, what: "a string")
    }
}

/// A field that is a string or an array of strings, as an array (never empty).
func decodeTexts<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K, what: String) throws -> [String] {
    if let one = try? c.decode(String.self, forKey: key) { return [one] }
    guard let many = try? c.decode([String].self, forKey: key) else {
        throw APIError.invalid("\"\(key.stringValue)\" must be \(what)", param: key.stringValue)
    }
    guard !many.isEmpty else {
        throw APIError.invalid("\"\(key.stringValue)\" is an empty array", param: key.stringValue, code: "empty_input")
    }
    return many
}

/// An optional field of type T; present with another type (or null) is an error.
func decodeOptional<K: CodingKey, T: Decodable>(_ c: KeyedDecodingContainer<K>, _ key: K, _ type: T.Type,
                                                        what: String) throws -> T? {
    guard c.contains(key) else { return nil }
    if try c.decodeNil(forKey: key) { return nil }
    guard let v = try? c.decode(T.self, forKey: key) else {
        throw APIError.invalid("\"\(key.stringValue)\" must be \(what)", param: key.stringValue)
    }
    return v
}

/// Decodes a request body: invalid JSON and wrong shapes become 400s.
func decodeRequest<T: Decodable>(_ type: T.Type, from body: Data) throws -> T {
    guard !body.isEmpty else { throw APIError.invalid("the request body is empty; expected a JSON object") }
    let value: JSONValue
    do {
        value = try JSONParser.parse(body, maxDepth: 64)
    } catch let error as JSONSyntaxError {
        throw APIError.invalid("the request body is not valid JSON: \(error)")
    }
    guard case .object = value else { throw APIError.invalid("the request body must be a JSON object") }
    do {
        return try JSONValueDecoder().decode(T.self, from: value)
    } catch let error as APIError {
        throw error
    } catch let error as DecodingError {
        throw APIError.invalid("the request body is not a valid request: \(error.jsonDescription)")
    }
}

/// Checks the number of texts and each text's length against the limits.
func checkTexts(_ texts: [String], limits: ServerLimits, param: String, countDescription: String? = nil) throws {
    guard texts.count <= limits.maxInputs else {
        throw APIError.invalid("\(countDescription ?? "\"\(param)\" has \(texts.count) texts"); the limit is "
                               + "\(limits.maxInputs) texts per request (--max-inputs)", param: param, code: "too_many_inputs")
    }
    for (i, t) in texts.enumerated() {
        // Scalar counting stops early: a huge text is rejected without counting all of it.
        var n = 0
        for _ in t.unicodeScalars {
            n += 1
            if n > limits.maxTextLength { break }
        }
        guard n <= limits.maxTextLength else {
            throw APIError.invalid("\(param)[\(i)] is longer than the limit of \(limits.maxTextLength) characters "
                                   + "(--max-text-length)", param: param, code: "text_too_long")
        }
    }
}

/// The server's request parsing, callable without a server (fuzzing, tests): decodes `body` as
/// the request of `endpoint` and applies the checks that need no model (text count and length,
/// the range of k), throwing the error the endpoint would answer with. A body over
/// `limits.maxBodyBytes` is refused before it is parsed, as the server does.
public enum RequestParsing {
    public enum Endpoint: String, CaseIterable, Sendable {
        case embeddings, similarity, search
        /// Text Embeddings Inference's routes (TEIRequests.swift).
        case teiEmbed, teiEmbedAll, teiSimilarity, teiTokenize, teiDecode
    }

    public static func check(_ body: Data, endpoint: Endpoint, limits: ServerLimits = ServerLimits()) throws {
        guard body.count <= limits.maxBodyBytes else { throw APIError.bodyTooLarge(limit: limits.maxBodyBytes) }
        switch endpoint {
        case .embeddings:
            let r = try decodeRequest(EmbeddingsRequest.self, from: body)
            try checkTexts(r.input, limits: limits, param: "input")
        case .similarity:
            let r = try decodeRequest(SimilarityRequest.self, from: body)
            try checkTexts(r.pairs.flatMap { [$0.0, $0.1] }, limits: limits, param: "pairs")
        case .search:
            let r = try decodeRequest(SearchRequest.self, from: body)
            try checkTexts(r.queries, limits: limits, param: "query")
            guard r.k >= 1 && r.k <= limits.maxK else { throw APIError.invalid("k out of range", param: "k") }
        case .teiEmbed:
            try checkTexts(try decodeRequest(TEIEmbedRequest.self, from: body).inputs, limits: limits, param: "inputs")
        case .teiEmbedAll:
            try checkTexts(try decodeRequest(TEIEmbedAllRequest.self, from: body).inputs, limits: limits, param: "inputs")
        case .teiSimilarity:
            let r = try decodeRequest(TEISimilarityRequest.self, from: body)
            try checkTexts([r.source] + r.sentences, limits: limits, param: "inputs")
        case .teiTokenize:
            try checkTexts(try decodeRequest(TEITokenizeRequest.self, from: body).inputs, limits: limits, param: "inputs")
        case .teiDecode:
            _ = try decodeRequest(TEIDecodeRequest.self, from: body)
        }
    }
}
