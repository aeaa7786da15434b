// Linear layer, PyTorch nn.Linear semantics: weight W (out, in), bias b (out).
// forward:  y (n, out) = x (n, in) · Wᵀ + b
// backward: dx (n, in) (+)= dy · W;  dW (out, in) += dyᵀ · x;  db (out) += Σₙ dy

public enum Linear {
    /// y (n, out) = x (n, in) · Wᵀ + b. `ldx`/`ldy` are row strides (default: dense).
    public static func forward(
        y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        n: Int, inFeatures: Int, outFeatures: Int, ldx: Int? = nil, ldy: Int? = nil
    ) {
        let ldy = ldy ?? outFeatures
        if let bias {
            Parallel.chunks(n, minPerChunk: 64) { _, rows in
                for r in rows { (y + r * ldy).update(from: bias, count: outFeatures) }
            }
        }
        BLAS.gemm(transB: true, m: n, n: outFeatures, k: inFeatures,
                  a: x, lda: ldx ?? inFeatures, b: weight, ldb: inFeatures,
                  beta: bias == nil ? 0 : 1, c: y, ldc: ldy)
    }

    /// Accumulates dx += dy·W (if dx is non-nil; dx = dy·W when `accumulateInput` is false),
    /// dW += dyᵀ·x and db += Σ dy.
    public static func backward(
        dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
        dBias: UnsafeMutablePointer<Float>?,
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        n: Int, inFeatures: Int, outFeatures: Int, ldx: Int? = nil, lddy: Int? = nil, accumulateInput: Bool = true
    ) {
        let ldx = ldx ?? inFeatures, lddy = lddy ?? outFeatures
        if let dx {
            BLAS.gemm(m: n, n: inFeatures, k: outFeatures, a: dy, lda: lddy, b: weight, ldb: inFeatures,
                      beta: accumulateInput ? 1 : 0, c: dx, ldc: ldx)
        }
        BLAS.gemm(transA: true, m: outFeatures, n: inFeatures, k: n, a: dy, lda: lddy, b: x, ldb: ldx,
                  beta: 1, c: dWeight, ldc: inFeatures)
        if let dBias { columnSums(dBias, dy, rows: n, columns: outFeatures, ld: lddy) }
    }

    /// out (c) += Σ over rows of m (rows, c), split over columns so it is deterministic.
    public static func columnSums(_ out: UnsafeMutablePointer<Float>, _ m: UnsafePointer<Float>,
                                  rows: Int, columns: Int, ld: Int) {
        Parallel.chunks(columns, minPerChunk: 64) { _, cols in
            for r in 0..<rows {
                let row = m + r * ld
                for c in cols { out[c] += row[c] }
            }
        }
    }
}
