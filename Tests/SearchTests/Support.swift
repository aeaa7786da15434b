// Helpers for the search tests: seeded unit vectors, a Double brute-force reference, a tiny model.

import Foundation
@testable import Search
import TestSupport

/// `rows` random unit vectors of `dimension`, row-major.
func randomUnitVectors(rows: Int, dimension: Int, seed: UInt64) -> [Float] {
    var rng = SplitMix64(seed: seed)
    var out: [Float] = []
    for _ in 0..<rows {
        let v = (0..<dimension).map { _ in rng.signedUnit() }
        let norm = v.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        out += v.map { Float(Double($0) / norm) }
    }
    return out
}

/// Top k by cosine in Double over every row, ties by lower row.
func bruteForceTopK(_ vectors: [Float], dimension d: Int, query: ArraySlice<Float>, k: Int) -> [(index: Int, score: Double)] {
    let n = vectors.count / d
    let q = Array(query)
    let qn = q.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
    let scored = (0..<n).map { i -> (index: Int, score: Double) in
        var dot = 0.0, vn = 0.0
        for j in 0..<d {
            dot += Double(vectors[i * d + j]) * Double(q[j])
            vn += Double(vectors[i * d + j]) * Double(vectors[i * d + j])
        }
        return (i, dot / (vn.squareRoot() * qn))
    }
    return Array(scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }.prefix(k))
}

let identityA = ModelIdentity(path: "/models/a", weightsHash: String(repeating: "a", count: 16),
                              configHash: String(repeating: "1", count: 16))
let identityB = ModelIdentity(path: "/models/b", weightsHash: String(repeating: "b", count: 16),
                              configHash: String(repeating: "1", count: 16))

/// A small random BERT with the tiny WordPiece tokenizer fixture (fast to load and run).
func makeTinyModel(at dir: URL, seed: UInt64 = 1) throws {
    try TinyModelFactory.make(at: dir, tokenizerFrom: TestPaths.fixture("tokenizers/tiny-uncased"), vocabSize: 276,
                              seed: seed)
}
