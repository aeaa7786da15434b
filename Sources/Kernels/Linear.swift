// Linear layer, PyTorch nn.Linear semantics: weight W (out, in), bias b (out).
// forward:  y (n, out) = x (n, in) · Wᵀ + b
// backward: dx (n, in) (+)= dy · W;  dW (out, in) += dyᵀ · x;  db (out) += Σₙ dy
// With `products` of a bf16 precision, x, W and dy enter the products rounded to bf16
// (RoundedOperands.swift); y, dx, dW and db are fp32. With int8 products (inference only) the
// forward runs through ProductInputs.int8Linear (Int8Products.swift).

public enum Linear {
    /// y (n, out) = x (n, in) · Wᵀ + b. `ldx`/`ldy` are row strides (default: dense).
    public static func forward(
        y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        n: Int, inFeatures: Int, outFeatures: Int, ldx: Int? = nil, ldy: Int? = nil,
        products: ProductInputs? = nil
    ) {
        let ldy = ldy ?? outFeatures
        if let products, products.precision == .int8 {
            products.int8Linear(y: y, ldy: ldy, x: x, ldx: ldx ?? inFeatures, weight: weight, bias: bias, n: n,
                                inFeatures: inFeatures, outFeatures: outFeatures)
            return
        }
        let (xIn, ldxIn) = products?.operand(x, rows: n, cols: inFeatures, ld: ldx ?? inFeatures, slot: 0)
            ?? (.fp32(x), ldx ?? inFeatures)
        let w = products?.weight(weight, rows: outFeatures, cols: inFeatures, slot: 2) ?? .fp32(weight)
        BLAS.gemm(transB: true, m: n, n: outFeatures, k: inFeatures,
                  a: xIn, lda: ldxIn, b: w, ldb: inFeatures, bias: bias, c: y, ldc: ldy)
    }

    /// Accumulates dx += dy·W (if dx is non-nil; dx = dy·W when `accumulateInput` is false),
    /// dW += dyᵀ·x and db += Σ dy.
    public static func backward(
        dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
        dBias: UnsafeMutablePointer<Float>?,
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        n: Int, inFeatures: Int, outFeatures: Int, ldx: Int? = nil, lddy: Int? = nil, accumulateInput: Bool = true,
        products: ProductInputs? = nil
    ) {
        precondition(products?.precision.trains ?? true, "int8 products have no backward")
        let ldx = ldx ?? inFeatures, lddy = lddy ?? outFeatures
        // dy is rounded once for both products.
        let (dyIn, lddyIn) = products?.operand(dy, rows: n, cols: outFeatures, ld: lddy, slot: 0) ?? (.fp32(dy), lddy)
        if let dx {
            let w = products?.weight(weight, rows: outFeatures, cols: inFeatures, slot: 2) ?? .fp32(weight)
            BLAS.gemm(m: n, n: inFeatures, k: outFeatures, a: dyIn, lda: lddyIn, b: w, ldb: inFeatures,
                      beta: accumulateInput ? 1 : 0, c: dx, ldc: ldx)
        }
        let (xIn, ldxIn) = products?.operand(x, rows: n, cols: inFeatures, ld: ldx, slot: 1) ?? (.fp32(x), ldx)
        BLAS.gemm(transA: true, m: outFeatures, n: inFeatures, k: n, a: dyIn, lda: lddyIn, b: xIn, ldb: ldxIn,
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
