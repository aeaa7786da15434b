// Runs evaluation sets through an embedder: per set, the distinct texts (both sides, first
// occurrence order: all first texts, then the second texts not seen yet) are embedded once in
// chunks, each pair's cosine similarity is taken, and the set is scored over the whole file —
// Spearman ×100 against the gold scores, or ROC-AUC ×100 against the labels (the paper's "all"
// setting, evaluation/eval.py in cambridgeltl/mirror-bert). The embedder is a closure, so this
// module needs no model: the CLI passes its batched encoder, tests pass a deterministic fake.

import Foundation

/// Where a run is, reported after each embedded chunk.
public struct EvalProgress: Sendable {
    /// The set being embedded, its index in the run (0-based) and the number of sets.
    public let set: String
    public let setIndex: Int
    public let setCount: Int
    /// Distinct texts of this set embedded so far, and in total.
    public let textsDone: Int
    public let textsTotal: Int
}

/// Metadata that goes into a report alongside the scores.
public struct EvalRunInfo: Equatable, Sendable {
    public var model: String
    public var pooling: String
    public var maxLength: Int

    public init(model: String, pooling: String, maxLength: Int) {
        self.model = model
        self.pooling = pooling
        self.maxLength = maxLength
    }
}

public enum Evaluator {
    /// Scores every set in `sets` and returns the report (results in the order of `sets`).
    /// - Parameters:
    ///   - embed: maps texts to one vector each, all of one dimension; called with at most
    ///     `chunkSize` texts at a time.
    ///   - progress: called after each chunk.
    public static func run(
        sets: [EvalPairSet],
        info: EvalRunInfo,
        chunkSize: Int = 1024,
        embed: ([String]) throws -> [[Float]],
        progress: ((EvalProgress) -> Void)? = nil
    ) throws -> EvalReport {
        precondition(chunkSize > 0, "Evaluator.run: chunkSize must be positive")
        var results: [EvalResult] = []
        for (setIndex, set) in sets.enumerated() {
            let similarities = try cosineSimilarities(of: set, chunkSize: chunkSize, embed: embed) { done, total in
                progress?(EvalProgress(set: set.name, setIndex: setIndex, setCount: sets.count,
                                       textsDone: done, textsTotal: total))
            }
            results.append(score(set, similarities: similarities))
        }
        return EvalReport(info: info, results: results)
    }

    /// The score of `set` given one similarity per pair (×100).
    public static func score(_ set: EvalPairSet, similarities: [Double]) -> EvalResult {
        precondition(similarities.count == set.count, "Evaluator.score: \(similarities.count) similarities for \(set.count) pairs")
        let value: Double
        switch set.metric {
        case .spearman: value = Statistics.spearman(set.gold, similarities)
        case .rocAUC: value = Statistics.rocAUC(scores: similarities, labels: set.labels)
        }
        return EvalResult(set: set.name, metric: set.metric, score: 100 * value, n: set.count)
    }

    // MARK: - Embedding

    /// The distinct texts of `set` in first-occurrence order (all `a`, then new `b`), and for
    /// each pair the indices of its two texts in that list.
    public static func distinctTexts(of set: EvalPairSet) -> (texts: [String], first: [Int], second: [Int]) {
        var index: [String: Int] = [:]
        var texts: [String] = []
        func id(_ text: String) -> Int {
            if let i = index[text] { return i }
            index[text] = texts.count
            texts.append(text)
            return texts.count - 1
        }
        let first = set.a.map(id)
        let second = set.b.map(id)
        return (texts, first, second)
    }

    /// Cosine similarity of each pair of `set`, embedding each distinct text once.
    public static func cosineSimilarities(
        of set: EvalPairSet,
        chunkSize: Int = 1024,
        embed: ([String]) throws -> [[Float]],
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> [Double] {
        let (texts, first, second) = distinctTexts(of: set)
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var dimension: Int? = nil
        var start = 0
        while start < texts.count {
            let end = min(start + chunkSize, texts.count)
            let chunk = Array(texts[start..<end])
            let out = try embed(chunk)
            guard out.count == chunk.count else {
                throw EvaluationError.badEmbedding(set: set.name, reason: "\(out.count) vectors for \(chunk.count) texts")
            }
            for (k, v) in out.enumerated() {
                let d = dimension ?? v.count
                dimension = d
                guard !v.isEmpty else {
                    throw EvaluationError.badEmbedding(set: set.name, reason: "an empty vector for text '\(chunk[k])'")
                }
                guard v.count == d else {
                    throw EvaluationError.badEmbedding(set: set.name, reason: "vectors of dimensions \(d) and \(v.count) (text '\(chunk[k])')")
                }
                guard v.allSatisfy({ $0.isFinite }) else {
                    throw EvaluationError.badEmbedding(set: set.name, reason: "a non-finite value for text '\(chunk[k])'")
                }
            }
            vectors.append(contentsOf: out)
            start = end
            progress?(start, texts.count)
        }
        return zip(first, second).map { Statistics.cosine(vectors[$0], vectors[$1]) }
    }
}
