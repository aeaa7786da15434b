// The runner end to end with a deterministic fake embedder, against the same computation done in
// Python (scipy/sklearn) by the fixture script on real sets; plus dedupe, chunking, progress and
// the embedder-contract errors on synthetic sets.

import Foundation
import Testing
import TestSupport
@testable import Evaluation

// MARK: - Fake embedder (the script's fake_embed)

/// Signed hashed bag of code points (weight 1) and code-point bigrams (weight 0.5), 48 dims.
func fakeEmbed(_ text: String) -> [Float] {
    let dim = 48
    var v = [Float](repeating: 0, count: dim)
    let cps = text.unicodeScalars.map { UInt64($0.value) }
    func add(_ key: UInt64, _ weight: Float) {
        let h = (key &* 2_654_435_761) & 0xFFFF_FFFF
        let sign: Float = (h >> 20) & 1 == 1 ? -1 : 1
        v[Int(h % UInt64(dim))] += sign * weight
    }
    for (i, cp) in cps.enumerated() {
        add(cp, 1)
        if i + 1 < cps.count { add(cp &* 1_000_003 &+ cps[i + 1], 0.5) }
    }
    return v
}

// MARK: - Fixture

struct EvaluatorFixture: Decodable {
    struct SetResult: Decodable {
        let set: String, path: String, metric: String
        let n: Int, distinct_texts: Int
        let score: Double
        let cosines_head: [Double]
        let first_vector: [Double]
    }
    let sets: [SetResult]
}

@Suite struct EvaluatorTests {
    let info = EvalRunInfo(model: "fake-bag-of-chars", pooling: "none", maxLength: 0)

    @Test(.enabled(if: evalDataAvailable, "shared data folder absent"))
    func fakeEmbedderMatchesThePythonOne() throws {
        let fixture = try loadFixture("evaluator.json", as: EvaluatorFixture.self)
        for expected in fixture.sets {
            let set = try EvalRegistry.load([expected.set], from: dataFolder)[0]
            #expect(fakeEmbed(set.a[0]).map(Double.init) == expected.first_vector, "\(expected.set)")
        }
    }

    @Test(.enabled(if: evalDataAvailable, "shared data folder absent"))
    func scoresMatchPythonOnRealSets() throws {
        let fixture = try loadFixture("evaluator.json", as: EvaluatorFixture.self)
        let sets = try EvalRegistry.load(fixture.sets.map(\.set), from: dataFolder)
        var calls = 0
        let report = try Evaluator.run(sets: sets, info: info, chunkSize: 700) { texts in
            calls += 1
            #expect(texts.count <= 700)
            return texts.map(fakeEmbed)
        }
        #expect(calls > sets.count, "chunked")
        for expected in fixture.sets {
            let result = try #require(report.result(for: expected.set))
            #expect(result.n == expected.n)
            #expect(result.metric.rawValue == expected.metric)
            #expect(abs(result.score - expected.score) <= 1e-9,
                    "\(expected.set): \(result.score) vs Python \(expected.score), diff \(abs(result.score - expected.score))")
            let set = try #require(sets.first { $0.name == expected.set })
            #expect(Evaluator.distinctTexts(of: set).texts.count == expected.distinct_texts)
            let head = try Evaluator.cosineSimilarities(of: set) { $0.map(fakeEmbed) }.prefix(5)
            #expect(Array(head) == expected.cosines_head, "\(expected.set): cosines")
        }
        #expect(report.averages?.keys.sorted() == ["qa", "sts", "words"])
    }

    // MARK: - Synthetic sets

    func pairSet(_ rows: [(Double, String, String)], metric: EvalMetric = .spearman) -> EvalPairSet {
        EvalPairSet(name: "tiny", path: "tiny.tsv", metric: metric,
                    a: rows.map(\.1), b: rows.map(\.2), gold: rows.map(\.0))
    }

    @Test func embedsEachDistinctTextOnceInFirstOccurrenceOrder() throws {
        let set = pairSet([(1, "a", "b"), (2, "b", "c"), (3, "a", "a"), (4, "d", "b")])
        let distinct = Evaluator.distinctTexts(of: set)
        #expect(distinct.texts == ["a", "b", "d", "c"])
        #expect(distinct.first == [0, 1, 0, 2] && distinct.second == [1, 3, 0, 1])
        var seen: [String] = []
        var progress: [EvalProgress] = []
        let report = try Evaluator.run(sets: [set, set], info: info, chunkSize: 3, embed: { texts in
            seen += texts
            return texts.map(fakeEmbed)
        }, progress: { progress.append($0) })
        #expect(seen == ["a", "b", "d", "c", "a", "b", "d", "c"])
        #expect(progress.map { "\($0.setIndex)/\($0.setCount):\($0.textsDone)/\($0.textsTotal)" }
                == ["0/2:3/4", "0/2:4/4", "1/2:3/4", "1/2:4/4"])
        #expect(report.results.count == 2 && report.results[0] == report.results[1])
    }

    @Test func scoreIsSpearmanOrAUCTimesHundred() throws {
        // Embeddings chosen so the cosines are known: e(t) = (1, k) for text "k".
        func embed(_ texts: [String]) -> [[Float]] { texts.map { [1, Float($0)!] } }
        let set = pairSet([(0.5, "0", "0"), (0.2, "0", "3"), (0.3, "0", "1"), (0.1, "0", "2")])
        let report = try Evaluator.run(sets: [set], info: info, embed: embed)
        // cosines (1, 1/√10, 1/√2, 1/√5) rank 4 1 3 2, gold ranks 4 2 3 1: ρ = 1 − 6·2/(4·15) = 0.8.
        #expect(abs(report.results[0].score - 80) < 1e-12)
        #expect(report.results[0].metric == .spearman && report.results[0].n == 4)
        #expect(report.average == report.results[0].score && report.averages == nil)
        let labelled = pairSet([(1, "0", "0"), (0, "0", "3"), (1, "0", "1"), (0, "0", "2")], metric: .rocAUC)
        let auc = try Evaluator.run(sets: [labelled], info: info, embed: embed).results[0]
        #expect(auc.score == 100 && auc.metric == .rocAUC)
    }

    @Test func embedderContractViolationsAreErrors() {
        let set = pairSet([(1, "a", "b"), (2, "c", "d")])
        #expect(throws: EvaluationError.self) { try Evaluator.run(sets: [set], info: info) { Array($0.map(fakeEmbed).dropLast()) } }
        #expect(throws: EvaluationError.self) {
            try Evaluator.run(sets: [set], info: info) { $0.enumerated().map { [Float](repeating: 1, count: 3 + $0.offset) } }
        }
        #expect(throws: EvaluationError.self) { try Evaluator.run(sets: [set], info: info) { $0.map { _ in [] } } }
        do {
            _ = try Evaluator.run(sets: [set], info: info) { $0.map { $0 == "c" ? [1, .nan] : [1, 2] } }
            Issue.record("NaN embedding accepted")
        } catch {
            #expect("\(error)".contains("'tiny'") && "\(error)".contains("non-finite") && "\(error)".contains("'c'"))
        }
        struct Boom: Error {}
        #expect(throws: Boom.self) { try Evaluator.run(sets: [set], info: info) { _ in throw Boom() } }
    }

    @Test func constantEmbeddingsGiveAnUndefinedScore() throws {
        let set = pairSet([(1, "a", "b"), (2, "c", "d"), (3, "e", "f")])
        let report = try Evaluator.run(sets: [set], info: info) { $0.map { _ in [1, 1] } }
        #expect(report.results[0].score.isNaN && report.average.isNaN)
        #expect(report.jsonText().contains("\"score\": null"))
    }
}
