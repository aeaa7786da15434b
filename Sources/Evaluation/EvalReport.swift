// The result of an evaluation run and its JSON form:
//   {"model": "...", "pooling": "...", "max_length": 64,
//    "results": [{"set": "sts12", "metric": "spearman", "score": 72.36, "n": 3108}, ...],
//    "average": 70.12,
//    "averages": {"sts": 74.5, "words": 55.1}}      <- only when sets of several suites are present
// Scores are ×100 at full precision (tables round to two decimals). An undefined score (a constant
// side, a single class) is NaN in memory and null in JSON. Keys are written in the order above.

import FileIO
import Foundation
import JSON

/// One set's score.
public struct EvalResult: Codable, Equatable, Sendable {
    /// The set's name ("sts12").
    public let set: String
    public let metric: EvalMetric
    /// Spearman ρ ×100 or ROC-AUC ×100; NaN when undefined.
    public let score: Double
    /// Number of pairs scored.
    public let n: Int

    public init(set: String, metric: EvalMetric, score: Double, n: Int) {
        self.set = set
        self.metric = metric
        self.score = score
        self.n = n
    }

    enum CodingKeys: String, CodingKey { case set, metric, score, n }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        set = try c.decode(String.self, forKey: .set)
        metric = try c.decode(EvalMetric.self, forKey: .metric)
        score = try c.decodeIfPresent(Double.self, forKey: .score) ?? .nan
        n = try c.decode(Int.self, forKey: .n)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(set, forKey: .set)
        try c.encode(metric, forKey: .metric)
        if score.isFinite { try c.encode(score, forKey: .score) } else { try c.encodeNil(forKey: .score) }
        try c.encode(n, forKey: .n)
    }
}

public struct EvalReport: Codable, Equatable, Sendable {
    public var model: String
    public var pooling: String
    public var maxLength: Int
    public var results: [EvalResult]
    /// Mean score over `results` (NaN if there are none or one is NaN).
    public var average: Double
    /// Mean score per suite name ("sts", "words", "qa", "other"), present only when the results
    /// span more than one suite.
    public var averages: [String: Double]?

    /// A report over `results`, with the averages computed from them.
    public init(info: EvalRunInfo, results: [EvalResult]) {
        model = info.model
        pooling = info.pooling
        maxLength = info.maxLength
        self.results = results
        average = Statistics.mean(results.map(\.score))
        let suites = Self.suitesPresent(results)
        if suites.count > 1 {
            var perSuite: [String: Double] = [:]
            for suite in suites {
                let scores = results.filter { EvalRegistry.suite(of: $0.set) == suite }.map(\.score)
                perSuite[suite.rawValue] = Statistics.mean(scores)
            }
            averages = perSuite
        } else {
            averages = nil
        }
    }

    public var info: EvalRunInfo { EvalRunInfo(model: model, pooling: pooling, maxLength: maxLength) }

    /// The result for set `name`, if the report has it.
    public func result(for name: String) -> EvalResult? { results.first { $0.set == name } }

    /// Suites with at least one result, in the order sts, words, qa, other.
    static func suitesPresent(_ results: [EvalResult]) -> [EvalSuite] {
        EvaluationSuites.present(results.map(\.set))
    }

    // MARK: - Codable

    enum CodingKeys: String, CodingKey {
        case model, pooling, maxLength = "max_length", results, average, averages
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        pooling = try c.decode(String.self, forKey: .pooling)
        maxLength = try c.decode(Int.self, forKey: .maxLength)
        results = try c.decode([EvalResult].self, forKey: .results)
        average = try c.decodeIfPresent(Double.self, forKey: .average) ?? .nan
        averages = try c.decodeIfPresent([String: Double?].self, forKey: .averages)?.mapValues { $0 ?? .nan }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(pooling, forKey: .pooling)
        try c.encode(maxLength, forKey: .maxLength)
        try c.encode(results, forKey: .results)
        if average.isFinite { try c.encode(average, forKey: .average) } else { try c.encodeNil(forKey: .average) }
        if let averages {
            try c.encode(averages.mapValues { $0.isFinite ? $0 : nil }, forKey: .averages)
        }
    }

    // MARK: - Files

    /// The report as pretty JSON text with keys in the documented order and a final newline.
    public func jsonText() -> String {
        var object: [(key: String, value: JSONValue)] = [
            ("model", .string(model)),
            ("pooling", .string(pooling)),
            ("max_length", .int(maxLength)),
            ("results", .array(results.map { r in
                .object([("set", .string(r.set)), ("metric", .string(r.metric.rawValue)),
                         ("score", .double(r.score)), ("n", .int(r.n))])
            })),
            ("average", .double(average)),
        ]
        if let averages {
            let ordered = EvalSuite.allCases.compactMap { s in averages[s.rawValue].map { (key: s.rawValue, value: JSONValue.double($0)) } }
            let unknown = averages.sorted { $0.key < $1.key }.filter { EvalSuite(rawValue: $0.key) == nil }
                .map { (key: $0.key, value: JSONValue.double($0.value)) }
            object.append(("averages", .object(ordered + unknown)))
        }
        return String(decoding: JSONValue.object(object).serialized(.pretty), as: UTF8.self)
    }

    /// Writes `jsonText()` to `url` atomically.
    public func write(to url: URL) throws {
        try AtomicFile.write(Data(jsonText().utf8), to: url)
    }

    /// Reads a report written by `write(to:)` (or any JSON of the same shape).
    public static func read(from url: URL) throws -> EvalReport {
        let data: Data
        do {
            data = try TextLines.readFile(url)
        } catch let error as FileIOError {
            throw EvaluationError.file(error)
        }
        do {
            return try JSONValueDecoder().decode(EvalReport.self, from: data)
        } catch let error as JSONSyntaxError {
            throw EvaluationError.malformedReport(path: url.path, reason: "not valid JSON: \(error)")
        } catch let error as DecodingError {
            throw EvaluationError.malformedReport(path: url.path, reason: error.jsonDescription)
        }
    }
}
