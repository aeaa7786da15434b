// The JSON header of an index file (see IndexFile.swift for the whole layout).

import Foundation
import JSON
import Models

/// What an index holds and how its vectors were made.
public struct IndexHeader: Equatable, Sendable {
    public var model: ModelIdentity
    public var pooling: Pooling
    /// Texts were truncated to this many tokens (special tokens included).
    public var maxLength: Int
    public var dimension: Int
    public var count: Int

    public init(model: ModelIdentity, pooling: Pooling, maxLength: Int, dimension: Int, count: Int) {
        self.model = model; self.pooling = pooling; self.maxLength = maxLength
        self.dimension = dimension; self.count = count
    }

    static let keys: Set<String> = ["model_path", "weights_xxh64", "config_xxh64", "pooling", "max_length",
                                    "dimension", "count", "normalized"]
    static let maxDimension = 65_536

    /// The header as compact JSON with a fixed key order.
    func json() throws -> Data { Data(try jsonValue().serialized()) }

    /// The header as a JSON object (also nested in a FAISS sidecar).
    func jsonValue() throws -> JSONValue {
        let fields = Fields(model_path: model.path, weights_xxh64: model.weightsHash, config_xxh64: model.configHash,
                            pooling: pooling.rawValue, max_length: maxLength, dimension: dimension, count: count,
                            normalized: true)
        return try JSONValueEncoder().encode(fields)
    }

    /// The header's fields as stored.
    private struct Fields: Codable {
        var model_path: String
        var weights_xxh64: String
        var config_xxh64: String
        var pooling: String
        var max_length: Int
        var dimension: Int
        var count: Int
        var normalized: Bool
    }

    /// Parses and validates a header; `fail(reason)` makes the error to throw.
    static func parse(_ data: Data, fail: (String) -> SearchError) throws -> IndexHeader {
        let value: JSONValue
        do { value = try JSONParser.parse(data, maxDepth: 8) } catch let e as JSONSyntaxError {
            throw fail("header is not a JSON object (not valid JSON: \(e))")
        }
        return try parse(value, fail: fail)
    }

    /// The header from its parsed JSON object.
    static func parse(_ value: JSONValue, fail: (String) -> SearchError) throws -> IndexHeader {
        guard case let .object(members) = value else { throw fail("header is not a JSON object") }
        let found = Set(members.map(\.key))
        if let missing = keys.subtracting(found).sorted().first { throw fail("header lacks \"\(missing)\"") }
        if let extra = found.subtracting(keys).sorted().first { throw fail("header has unknown key \"\(extra)\"") }
        let raw: Fields
        do {
            raw = try JSONValueDecoder().decode(Fields.self, from: value)
        } catch let error as DecodingError {
            throw fail("header field \"\(error.jsonPath)\" has the wrong type: \(error.problem)")
        }
        func isDigest(_ s: String) -> Bool { s.utf8.count == 16 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } }
        guard isDigest(raw.weights_xxh64) else { throw fail("weights_xxh64 is not 16 lowercase hex digits") }
        guard isDigest(raw.config_xxh64) else { throw fail("config_xxh64 is not 16 lowercase hex digits") }
        guard let pooling = Pooling(rawValue: raw.pooling) else {
            throw fail("unknown pooling \"\(raw.pooling)\" (expected \(Pooling.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard raw.max_length >= 2 && raw.max_length <= 1 << 20 else { throw fail("max_length \(raw.max_length) is out of range 2…1048576") }
        guard raw.dimension >= 1 && raw.dimension <= maxDimension else {
            throw fail("dimension \(raw.dimension) is out of range 1…\(maxDimension)")
        }
        guard raw.count >= 0 else { throw fail("count \(raw.count) is negative") }
        guard raw.normalized else { throw fail("normalized is false (this version stores unit vectors only)") }
        return IndexHeader(model: ModelIdentity(path: raw.model_path, weightsHash: raw.weights_xxh64,
                                                configHash: raw.config_xxh64),
                           pooling: pooling, maxLength: raw.max_length, dimension: raw.dimension, count: raw.count)
    }
}
