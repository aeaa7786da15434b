// Exact search: BLAS scan + top-k selection against a Double brute-force reference, ties, edges.

import Foundation
@testable import Search
import Testing
import TestSupport

struct TopKSearchTests {
    func index(_ vectors: [Float], dimension: Int) -> EmbeddingIndex {
        let n = vectors.count / dimension
        return EmbeddingIndex(header: IndexHeader(model: identityA, pooling: .meanMasked, maxLength: 16, dimension: dimension,
                                                  count: n),
                              vectors: vectors, texts: (0..<n).map { "text \($0)" })
    }

    @Test(arguments: [1, 3], [1, 7, 1000])
    func topKEqualsBruteForce(queryCount: Int, blockRows: Int) {
        let d = 24, n = 300, k = 10
        let vectors = randomUnitVectors(rows: n, dimension: d, seed: 1)
        let queries = randomUnitVectors(rows: queryCount, dimension: d, seed: 2)
        let idx = index(vectors, dimension: d)
        let hits = queries.withUnsafeBufferPointer { idx.search($0.baseAddress!, queryCount: queryCount, k: k, blockRows: blockRows) }
        #expect(hits.count == queryCount)
        for q in 0..<queryCount {
            let reference = bruteForceTopK(vectors, dimension: d, query: queries[(q * d)..<((q + 1) * d)], k: k)
            // Rescored in Double with the reference's formula: the same rows, in order, with the same scores.
            #expect(hits[q].map(\.index) == reference.map(\.index), "query \(q)")
            #expect(hits[q].map(\.score) == reference.map(\.score), "query \(q)")
        }
    }

    @Test func tiesGoToTheLowerRow() {
        // Rows are basis vectors (exact dot products): for the query e0, rows 2, 5, 6 and 9 (= e0)
        // tie at 1 and every other row ties at 0, so ranks 5 and 6 are rows 0 and 1.
        let d = 4
        var vectors = [Float](repeating: 0, count: 10 * d)
        for r in 0..<10 { vectors[r * d + [3, 1, 0, 2, 3, 0, 0, 1, 2, 0][r]] = 1 }
        let idx = index(vectors, dimension: d)
        let q: [Float] = [1, 0, 0, 0]
        for blockRows in [1, 3, 10] {
            let hits = q.withUnsafeBufferPointer { idx.search($0.baseAddress!, queryCount: 1, k: 6, blockRows: blockRows) }[0]
            #expect(hits.map(\.index) == [2, 5, 6, 9, 0, 1], "block \(blockRows)")
            #expect(hits.map(\.score) == [1, 1, 1, 1, 0, 0])
        }
    }

    @Test func kLargerThanTheIndexAndEmptyCases() {
        let d = 8
        let idx = index(randomUnitVectors(rows: 5, dimension: d, seed: 3), dimension: d)
        let q = randomUnitVectors(rows: 2, dimension: d, seed: 4)
        let all = q.withUnsafeBufferPointer { idx.search($0.baseAddress!, queryCount: 2, k: 50) }
        #expect(all.map(\.count) == [5, 5])
        #expect(all.allSatisfy { zip($0, $0.dropFirst()).allSatisfy { $0.ranksBefore($1) } })
        let none = q.withUnsafeBufferPointer { idx.search($0.baseAddress!, queryCount: 2, k: 0) }
        #expect(none.map(\.count) == [0, 0])
        let empty = index([], dimension: d)
        let fromEmpty = q.withUnsafeBufferPointer { empty.search($0.baseAddress!, queryCount: 1, k: 3) }
        #expect(fromEmpty.map(\.count) == [0])
    }

    @Test func duplicateRowsTieExactlyWhateverBLASRoundsTo() {
        // The same vector at many rows (BLAS may round it differently by position): equal scores,
        // lower rows first, for every block size.
        let d = 384
        let base = randomUnitVectors(rows: 40, dimension: d, seed: 12)
        let duplicate = Array(base[0..<d])
        var vectors = base
        for r in [3, 17, 18, 29, 39] { vectors.replaceSubrange((r * d)..<((r + 1) * d), with: duplicate) }
        let idx = index(vectors, dimension: d)
        let q = randomUnitVectors(rows: 1, dimension: d, seed: 13).enumerated().map { $0.element * 0.1 + duplicate[$0.offset] }
        let norm = Float(q.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot())
        let unit = q.map { $0 / norm }
        for blockRows in [1, 5, 40] {
            let hits = unit.withUnsafeBufferPointer { idx.search($0.baseAddress!, queryCount: 1, k: 6, blockRows: blockRows) }[0]
            #expect(hits.prefix(6).map(\.index) == [0, 3, 17, 18, 29, 39], "block \(blockRows)")
            #expect(Set(hits.map(\.score)).count == 1, "identical rows must score identically")
        }
    }

    @Test func topKSelectionMatchesSorting() {
        var rng = SplitMix64(seed: 11)
        // Scores from a small set, so many ties.
        let scores = (0..<500).map { _ in Float(rng.next() % 20) / 4 }
        for k in [1, 2, 17, 499, 500, 600] {
            var top = TopK(min(k, scores.count))
            for (i, s) in scores.enumerated() { top.offer(i, s) }
            let expected = scores.enumerated().map { TopK.Entry(index: $0.offset, score: $0.element) }
                .sorted { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }.prefix(k)
            #expect(top.sorted() == Array(expected), "k = \(k)")
            #expect(top.threshold == expected.last?.score)
        }
    }
}
