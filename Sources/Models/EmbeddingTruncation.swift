// Matryoshka truncation: keep the first n of an embedding's D dimensions, as sentence-transformers'
// `encode(truncate_dim=n)` does with `truncate_embeddings` (embeddings[..., :n]).
// In sentence-transformers the order is: the modules (a Normalize module among them) → truncate →
// `normalize_embeddings=True`'s F.normalize → quantize. So a model with a Normalize module gives
// truncated rows that are no longer unit length unless `normalize_embeddings=True`. Here a
// normalized output means unit rows: callers pool without normalizing and pass `renormalize`,
// giving normalize(x[:n]) — sentence-transformers' `encode(truncate_dim=n, normalize_embeddings=True)`
// (for a model with a Normalize module that is normalize(normalize(x)[:n]), the same up to rounding).

/// Truncation of embeddings to their first dimensions.
public enum EmbeddingTruncation {
    /// out (rows, n) ← x[:, :n] of x (rows, dimension), then each row x / max(‖x‖, 1e-12) when
    /// `renormalize` (`Pooling.normalize`, as the Embedder normalizes). `out` may be `x` itself: row r moves from offset
    /// r·D to r·n ≤ r·D, copied front to back, so no element is overwritten before it is read.
    public static func truncate(_ x: UnsafePointer<Float>, rows: Int, dimension D: Int, to n: Int,
                                renormalize: Bool, into out: UnsafeMutablePointer<Float>) {
        precondition(n >= 1 && n <= D, "truncate to \(n) of \(D) dimensions")
        if n < D {
            for r in 0..<rows {
                for j in 0..<n { out[r * n + j] = x[r * D + j] }
            }
        } else if UnsafePointer(out) != x {
            out.update(from: x, count: rows * D)
        }
        if renormalize { Pooling.normalize(out, rows: rows, columns: n) }
    }
}
