// An index in memory: unit vectors M (N, D), their texts and the header saying how they were
// made. Search is exact, in two stages:
//   1. scan: S (Q, N) = Qv (Q, D) · Mᵀ in float32 — cosine similarities, since both sides are unit
//      vectors — one BLAS call per block of rows; per query, every row whose score is within
//      `rescoreMargin` of the running k-th best is kept as a candidate;
//   2. rescore: each candidate's cosine Σ m·q / (‖m‖·‖q‖) is recomputed in Double, always in the
//      same order, and the k best are returned (equal scores: lower row first).
// BLAS rounds differently by row position and thread count (identical rows can differ in the last
// bit), so stage 2 makes results independent of it: they equal a Double brute-force search. The
// margin (1e-3) is far above the stage-1 error for unit vectors — float32 rounding (≤ D·2⁻²⁴ ≈
// 2e-5 at D = 384) plus norms off by ≤ 1e-4 (the reader's check) — so no row of the true top k
// is missed.

import Foundation
import Kernels
import Models

public final class EmbeddingIndex: @unchecked Sendable {
    public let header: IndexHeader
    /// (count, dimension), row-major; read-only after init.
    public let vectors: FloatBuffer
    public let texts: [String]

    public var count: Int { header.count }
    public var dimension: Int { header.dimension }

    /// Rows scored per BLAS call are capped so the score block stays under this many floats.
    static let scoreBlockFloats = 1 << 22
    /// Stage-1 candidates: rows within this of the running k-th best float32 score.
    static let rescoreMargin: Float = 1e-3

    public init(header: IndexHeader, vectors: FloatBuffer, texts: [String]) {
        precondition(texts.count == header.count && vectors.count == header.count * header.dimension,
                     "index vectors and texts must match the header's count and dimension")
        self.header = header; self.vectors = vectors; self.texts = texts
    }

    /// An index over `vectors` (count × dimension unit vectors, row-major).
    public convenience init(header: IndexHeader, vectors: [Float], texts: [String]) {
        self.init(header: header, vectors: FloatBuffer(vectors), texts: texts)
    }

    /// Reads and validates an index file.
    public static func read(_ url: URL) throws -> EmbeddingIndex {
        let (header, vectors, texts) = try IndexFile.read(url)
        return EmbeddingIndex(header: header, vectors: vectors, texts: texts)
    }

    /// Writes the index atomically.
    public func write(to url: URL) throws {
        try IndexFile.write(header: header, vectors: UnsafeBufferPointer(start: vectors.pointer, count: vectors.count),
                            texts: texts, to: url)
    }

    /// A new index with `more` (texts.count × dimension unit vectors) appended after the rows.
    public func appending(_ more: UnsafeBufferPointer<Float>, texts newTexts: [String]) -> EmbeddingIndex {
        precondition(more.count == newTexts.count * dimension, "appended vectors must be texts.count × dimension")
        var h = header
        h.count += newTexts.count
        let combined = FloatBuffer(count: h.count * dimension)
        combined.pointer.update(from: vectors.pointer, count: vectors.count)
        if let base = more.baseAddress { (combined.pointer + vectors.count).update(from: base, count: more.count) }
        return EmbeddingIndex(header: h, vectors: combined, texts: texts + newTexts)
    }

    // MARK: - Compatibility

    /// Throws unless queries embedded by `model` with `pooling` and `maxLength` are comparable
    /// with this index's vectors. `path` names the index in the error.
    public func checkCompatible(model: ModelIdentity, pooling: Pooling, maxLength: Int, path: String) throws {
        try header.checkCompatible(model: model, pooling: pooling, maxLength: maxLength, path: path)
    }

    // MARK: - Search

    /// The `k` best rows for each of `queryCount` unit vectors at `queries` (queryCount, dimension),
    /// best first, scored by cosine in Double; equal scores by lower row. k is clamped to the index size.
    public func search(_ queries: UnsafePointer<Float>, queryCount: Int, k: Int) -> [[SearchHit]] {
        search(queries, queryCount: queryCount, k: k, blockRows: max(1, Self.scoreBlockFloats / max(queryCount, 1)))
    }

    /// `search` scoring at most `blockRows` rows per BLAS call (tests use small blocks).
    func search(_ queries: UnsafePointer<Float>, queryCount: Int, k: Int, blockRows: Int) -> [[SearchHit]] {
        precondition(k >= 0 && queryCount >= 0 && blockRows >= 1, "k, queryCount must be non-negative, blockRows positive")
        let n = count, d = dimension
        guard n > 0 && k > 0 else { return Array(repeating: [], count: queryCount) }
        let kk = min(k, n)
        var selections = (0..<queryCount).map { _ in TopK(kk) }
        var candidates = [[TopK.Entry]](repeating: [], count: queryCount)
        let block = min(n, blockRows)
        let scores = FloatBuffer(count: queryCount * block)
        for start in stride(from: 0, to: n, by: block) {
            let rows = min(block, n - start)
            let m = vectors.pointer + start * d
            if queryCount == 1 {
                // scores (rows) = M[start..<start+rows] (rows, D) · q (D)
                BLAS.gemv(m: rows, n: d, a: m, lda: d, x: queries, y: scores.pointer)
            } else {
                // scores (Q, rows) = Qv (Q, D) · M[start..<start+rows]ᵀ
                BLAS.gemm(transB: true, m: queryCount, n: rows, k: d, a: queries, lda: d, b: m, ldb: d,
                          c: scores.pointer, ldc: rows)
            }
            for q in 0..<queryCount {
                let s = scores.pointer + q * rows
                for r in 0..<rows {
                    if let t = selections[q].threshold, s[r] < t - Self.rescoreMargin { continue }
                    selections[q].offer(start + r, s[r])
                    candidates[q].append(TopK.Entry(index: start + r, score: s[r]))
                }
                if candidates[q].count > 4 * kk + 1024 { prune(&candidates[q], below: selections[q].threshold) }
            }
        }
        return (0..<queryCount).map { q in
            prune(&candidates[q], below: selections[q].threshold)
            let query = queries + q * d
            let queryNorm = max(Self.dot(query, query, d).squareRoot(), 1e-30)  // a zero query scores 0
            var hits = candidates[q].map { c -> SearchHit in
                let v = vectors.pointer + c.index * d
                return SearchHit(index: c.index, score: Self.dot(v, query, d) / (Self.dot(v, v, d).squareRoot() * queryNorm))
            }
            hits.sort { $0.ranksBefore($1) }
            return Array(hits.prefix(kk))
        }
    }

    /// Keeps the candidates within the margin of the k-th best score `threshold`.
    private func prune(_ candidates: inout [TopK.Entry], below threshold: Float?) {
        guard let t = threshold else { return }
        candidates.removeAll { $0.score < t - Self.rescoreMargin }
    }

    /// Σ a[j]·b[j] in Double, j ascending (the same order for every row: deterministic).
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
        var s = 0.0
        for j in 0..<n { s += Double(a[j]) * Double(b[j]) }
        return s
    }
}

extension IndexHeader {
    /// See `EmbeddingIndex.checkCompatible`.
    public func checkCompatible(model: ModelIdentity, pooling: Pooling, maxLength: Int, path: String) throws {
        guard self.model.sameModel(as: model) else {
            throw SearchError.modelMismatch(path: path, index: self.model.summary, given: model.summary)
        }
        guard self.pooling == pooling else {
            throw SearchError.optionMismatch(path: path, option: "pooling", index: self.pooling.rawValue, given: pooling.rawValue)
        }
        guard self.maxLength == maxLength else {
            throw SearchError.optionMismatch(path: path, option: "max length", index: "\(self.maxLength)", given: "\(maxLength)")
        }
    }
}
