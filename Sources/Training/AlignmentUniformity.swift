// Alignment and uniformity (Wang & Isola, ICML 2020), the two properties a contrastive objective
// trades off, on L2-normalised embeddings (rows normalised here as F.normalize does, unless the
// caller says they already are):
//
//   alignment  = mean_i ‖x_i − y_i‖²                          (α = 2; (x_i, y_i) positive pairs)
//   uniformity = log mean_{i<j} exp(−2 ‖x_i − x_j‖²)          (t = 2; all distinct pairs)
//
// Lower is better for both. Alignment runs in Double directly. Uniformity uses
// ‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b with the dot products from BLAS in blocks of rows (so 10k
// embeddings need 10k × 256 floats of scratch, not 10k²), clamped at 0, summed in Double.

import Foundation
import Kernels

/// Wang & Isola's alignment of positive pairs.
public enum Alignment {
    /// mean_i ‖x̂_i − ŷ_i‖² over `rows` pairs of `dim`-vectors (x, y row-major, rows × dim);
    /// x̂ = x / max(‖x‖, 1e-12) unless `normalized`.
    public static func of(
        _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, rows: Int, dim: Int, normalized: Bool = false
    ) -> Double {
        precondition(rows >= 1 && dim >= 1, "Alignment needs at least one pair")
        var total = 0.0
        for i in 0..<rows {
            let a = x + i * dim, b = y + i * dim
            let ra = normalized ? 1 : rowScale(a, dim), rb = normalized ? 1 : rowScale(b, dim)
            var sq = 0.0
            for k in 0..<dim {
                let d = Double(a[k]) * ra - Double(b[k]) * rb
                sq += d * d
            }
            total += sq
        }
        return total / Double(rows)
    }

    /// Array convenience: x and y are rows × dim.
    public static func of(_ x: [Float], _ y: [Float], dim: Int, normalized: Bool = false) -> Double {
        precondition(x.count == y.count && x.count % dim == 0, "Alignment: shapes differ")
        return x.withUnsafeBufferPointer { a in
            y.withUnsafeBufferPointer { b in
                of(a.baseAddress!, b.baseAddress!, rows: x.count / dim, dim: dim, normalized: normalized)
            }
        }
    }
}

/// Wang & Isola's uniformity of a set of embeddings.
public enum Uniformity {
    /// log mean_{i<j} exp(−2‖x̂_i − x̂_j‖²) over `rows` ≥ 2 row-major `dim`-vectors.
    public static func of(_ x: UnsafePointer<Float>, rows n: Int, dim h: Int, normalized: Bool = false) -> Double {
        precondition(n >= 2 && h >= 1, "Uniformity needs at least two embeddings")
        // u (n,h): the normalised rows in Float, q_i = ‖u_i‖² in Double
        var u = [Float](repeating: 0, count: n * h)
        var q = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let scale = normalized ? 1 : rowScale(x + i * h, h)
            var sq = 0.0
            for k in 0..<h {
                let v = Float(Double(x[i * h + k]) * scale)
                u[i * h + k] = v
                sq += Double(v) * Double(v)
            }
            q[i] = sq
        }
        let block = 256
        var dots = [Float](repeating: 0, count: min(block, n) * n)
        var total = 0.0
        u.withUnsafeBufferPointer { ub in
            dots.withUnsafeMutableBufferPointer { db in
                let up = ub.baseAddress!, dp = db.baseAddress!
                for i0 in stride(from: 0, to: n, by: block) {
                    let m = min(block, n - i0)
                    // dots (m,n) = u[i0..<i0+m] (m,h) · uᵀ (h,n)
                    BLAS.gemm(transB: true, m: m, n: n, k: h, a: up + i0 * h, lda: h, b: up, ldb: h, c: dp, ldc: n)
                    for r in 0..<m {
                        let i = i0 + r
                        for j in (i + 1)..<n {
                            let d2 = max(0, q[i] + q[j] - 2 * Double(dp[r * n + j]))
                            total += exp(-2 * d2)
                        }
                    }
                }
            }
        }
        return log(total / (Double(n) * Double(n - 1) / 2))
    }

    /// Array convenience: x is rows × dim.
    public static func of(_ x: [Float], dim: Int, normalized: Bool = false) -> Double {
        precondition(x.count % dim == 0, "Uniformity: count is not a multiple of dim")
        return x.withUnsafeBufferPointer { of($0.baseAddress!, rows: x.count / dim, dim: dim, normalized: normalized) }
    }
}

/// 1 / max(‖a‖, 1e-12) for one row, in Double.
func rowScale(_ a: UnsafePointer<Float>, _ dim: Int) -> Double {
    var sq = 0.0
    for k in 0..<dim { sq += Double(a[k]) * Double(a[k]) }
    return 1 / max(sq.squareRoot(), normalizeEpsilon)
}
